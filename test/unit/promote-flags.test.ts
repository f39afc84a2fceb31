import { describe, expect, it } from 'vitest';
import { refuseBadFlags } from '../../cli/commands/promote-flags.js';
import type { PromoteFlags } from '../../cli/commands/promote-run.js';
import { PromoteError } from '../../cli/errors.js';
import { PLANS } from '../../cli/plans/plans.js';
import type { EnvName } from '../../infra/environments.js';

/** The code refuseBadFlags throws for these flags, or 'ok'. */
const verdict = (env: EnvName, flags: Partial<PromoteFlags>, resuming = false): string => {
  try {
    refuseBadFlags(env, PLANS[env], flags as PromoteFlags, resuming);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(PromoteError);
    expect((error as PromoteError).exitCode).toBe(2);
    return (error as PromoteError).code;
  }
};

describe('refuseBadFlags', () => {
  it.each([
    ['sit', {}, false, 'ok'],
    ['sit', { allowAlarm: ['x'] }, false, 'ALLOW_ALARM_NEEDS_REASON'],
    ['sit', { allowAlarm: ['x'], reason: 'INC-1' }, false, 'ok'],
    ['sit', { skipTerraform: true }, false, 'REASON_REQUIRED'],
    ['sit', { allowDestroy: ['aws_s3_bucket.x'] }, false, 'REASON_REQUIRED'],
    ['sit', { planFile: 'sit.tfplan' }, false, 'PLAN_FILE_NEEDS_APPROVAL'],
    ['sit', { approvePlan: 'abc' }, false, 'PLAN_FILE_NEEDS_APPROVAL'],
    ['sit', { planOnly: true, planFile: 'a', approvePlan: 'b' }, false, 'PLAN_FILE_NEEDS_APPROVAL'],
    ['prod', {}, false, 'CHANGE_REQUEST_REQUIRED'],
    ['prod', { changeRequest: 'CHG-1' }, false, 'ok'],
    ['prod', {}, true, 'ok'],
    ['prod', { planOnly: true }, false, 'ok'],
    ['prod', { changeRequest: 'CHG-1', overrideGate: ['nope'] }, false, 'GATE_UNKNOWN'],
    [
      'prod',
      { changeRequest: 'CHG-1', overrideGate: ['sit-signoff'] },
      false,
      'OVERRIDE_GATE_NEEDS_REASON',
    ],
    [
      'prod',
      { changeRequest: 'CHG-1', overrideGate: ['sit-signoff'], reason: 'INC-9' },
      false,
      'ok',
    ],
    ['sit', { overrideGate: ['sit-signoff'], reason: 'x' }, false, 'GATE_UNKNOWN'],
    [
      'prod',
      { changeRequest: 'CHG-1', allowLowTraffic: true },
      false,
      'ALLOW_LOW_TRAFFIC_NEEDS_REASON',
    ],
    ['sit', { abort: true }, false, 'ABORT_NEEDS_RESUME'],
    ['sit', { abort: true }, true, 'ok'],
    ['prod', { canary: true, bakeScale: '0.1' }, true, 'RESUME_KEEPS_INPUTS'],
  ] as const)('%s %o (resuming: %s) → %s', (env, flags, resuming, expected) => {
    // Act / Assess
    expect(verdict(env, flags as Partial<PromoteFlags>, resuming)).toBe(expected);
  });
});
