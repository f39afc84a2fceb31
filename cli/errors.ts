import type { ErrorCode } from './codes.js';

/**
 * The one error type of the CLI. Every failure a user can meet has a stable code and maps
 * to one documented exit code (README § Exit codes), so scripts and CI can branch on it.
 */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  preflight_blocked: 3,
  approval_declined: 4,
  gate_failed_rolled_back: 5,
  rollback_failed: 6,
  lock_held: 7,
  sandbox_unavailable: 8,
  smoke_failed: 9,
  deploy_failed: 10,
  /** An AWS endpoint (or the sandbox) could not be reached: network, VPN, DNS, timeout. */
  aws_unreachable: 11,
  /** AWS throttled the calls past the SDK's own retries. */
  aws_throttled: 12,
  /** The credentials are valid but not allowed to do something the plan needs. */
  access_denied: 13,
  interrupted: 130,
} as const;

export type ExitReason = keyof typeof EXIT_CODES;

/**
 * @example
 * throw new PromoteError('preflight_blocked', 'PREFLIGHT_WRONG_ACCOUNT',
 *   'credentials are for account 536580886816, sit is 815856636111', 'use --profile Tebogo-sit');
 */
export class PromoteError extends Error {
  override readonly name = 'PromoteError';

  constructor(
    readonly reason: ExitReason,
    /** Stable, greppable code, e.g. `LOCK_HELD` (registered in codes.ts). */
    readonly code: ErrorCode,
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
    /** The underlying failure (an SDK error…), kept for `--verbose`. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.reason];
  }
}
