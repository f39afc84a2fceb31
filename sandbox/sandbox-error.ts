/**
 * The sandbox's own failure type (it imports nothing from the CLI): a stable code, a message
 * that says what is wrong, and a hint. The CLI turns it into its exit codes (8, or 2 for a
 * request the daemon rejected).
 */
export type SandboxErrorCode =
  | 'SANDBOX_REQUEST_REJECTED'
  | 'SANDBOX_PREREQUISITE_MISSING'
  | 'SANDBOX_DATA_DIR_BUSY'
  | 'SANDBOX_START_FAILED';

export class SandboxError extends Error {
  override readonly name = 'SandboxError';

  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** The daemon answered and refused the request (bad input), rather than being unavailable. */
  get rejected(): boolean {
    return this.code === 'SANDBOX_REQUEST_REJECTED';
  }
}
