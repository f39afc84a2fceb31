import { decodeJwt } from 'jose';
import type { EnvName } from '../../infra/environments.js';
import { actorFromClaims } from '../../service/http/request.js';
import { PromoteError } from '../errors.js';
import type { IoHost } from '../io/io-host.js';
import { PLANS } from '../plans/plans.js';

/**
 * What must hold before a load run sends its first request: PROD only with `--allow-prod`
 * and the plan's PROD approver (the same question and typed "GO" as `promote prod`'s
 * approval step, answered by `--yes` in CI), and a token that can do what the run does.
 */

export interface LoadApproval {
  readonly by: string;
  readonly via: '--yes' | 'prompt';
  readonly at: string;
  readonly role: string;
}

/**
 * Refuses PROD without `--allow-prod` (exit 2), then asks the env's approver — PROD's plan
 * names "Product Owner and stakeholders" who type GO. Environments whose plan has no
 * approval step (dev, sit) need none. Nothing is sent before this returns.
 */
export const guardProd = async (input: {
  readonly env: EnvName;
  readonly allowProd: boolean;
  readonly io: IoHost;
  readonly actor: string;
  /** What is about to happen, in the approver's words (rate, duration, API). */
  readonly what: string;
}): Promise<LoadApproval | undefined> => {
  if (input.env !== 'prod') return undefined;
  if (!input.allowProd) {
    throw new PromoteError(
      'usage',
      'LOAD_PROD_NOT_ALLOWED',
      'a load test against PROD needs --allow-prod (and the PROD approval); nothing was sent',
      'run it against sit (the plan load-tests in SIT, week 2), or add --allow-prod',
    );
  }
  const step = PLANS.prod.steps.find((s) => s.kind === 'approve');
  const who = step?.kind === 'approve' ? step.who : 'Product Owner';
  const word = step?.kind === 'approve' ? step.word : undefined;
  const question = `Load test PROD: ${input.what}. Real customers share this API. [${who}]`;
  const yes = await input.io.confirm('APPROVAL', question, word);
  if (!yes) {
    throw new PromoteError(
      'approval_declined',
      'APPROVAL_DECLINED',
      'load test of prod not approved; nothing was sent',
    );
  }
  return {
    by: input.actor,
    via: input.io.options.yes ? '--yes' : 'prompt',
    at: new Date().toISOString(),
    role: word ? `${who} ("${word}")` : who,
  };
};

/** Claims of a JWT without verifying it (the API verifies); undefined when it is not one. */
const claimsOf = (token: string): Record<string, unknown> | undefined => {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
};

/**
 * A shared token must be an admin's: the run creates orders for its own `loadtest_`
 * customers, sets statuses and deletes its orders afterwards — all admin-only for a token
 * that is not the customer's own. A token that expires before the run and its clean-up end
 * is refused too, rather than turning the last minutes into 401s.
 */
export const checkSharedToken = (token: string, env: EnvName, mustLastUntil: Date): void => {
  const claims = claimsOf(token);
  if (!claims) return; // not a JWT: the API will say what it thinks of it
  const actor = actorFromClaims({ sub: 'load', ...claims });
  if (!actor?.isAdmin) {
    throw new PromoteError(
      'usage',
      'LOAD_NEEDS_ADMIN_TOKEN',
      `the ${env} token is not in the admin group: a load run creates orders for its own test customers and deletes them afterwards`,
      `pass an admin's token (--token or ${env.toUpperCase()}_TOKEN), as for the smoke tests' admin calls`,
    );
  }
  const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  if (exp && exp < mustLastUntil) {
    throw new PromoteError(
      'usage',
      'LOAD_TOKEN_EXPIRES',
      `the ${env} token expires at ${exp.toISOString()}, before the run and its clean-up end (${mustLastUntil.toISOString()})`,
      'get a fresh token, or shorten --duration',
    );
  }
};
