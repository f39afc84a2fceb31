import { SandboxError } from '../sandbox/sandbox-error.js';
import { PromoteError } from './errors.js';

/**
 * The sandbox's failures as the CLI's: exit 8 (unavailable) or 2 (a request the daemon
 * rejected), same code and hint. Kept out of cli/aws, which must run unchanged against AWS.
 */
export const explainSandboxError = (error: unknown): unknown =>
  error instanceof SandboxError
    ? new PromoteError(
        error.rejected ? 'usage' : 'sandbox_unavailable',
        error.code,
        error.message,
        error.hint,
        undefined,
        { cause: error },
      )
    : error;
