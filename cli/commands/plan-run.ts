import type { Command } from 'commander';
import { describePlan } from '../plans/describe-plan.js';
import { PLANS } from '../plans/plans.js';
import { envArg } from './arg-parsers.js';
import { ioOf } from './io-of.js';

/** `promote plan <env>`: prints the plan; loads no AWS client and starts nothing. */
export const planCommand = (value: string, command: Command): void => {
  const io = ioOf(command);
  const plan = PLANS[envArg(value)];
  io.result(describePlan(plan));
  io.document({
    ok: true,
    plan: { ...plan, releaseTagPattern: plan.releaseTagPattern.source },
  });
};
