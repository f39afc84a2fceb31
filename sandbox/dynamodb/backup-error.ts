/**
 * An error of the DynamoDB backup, restore and PITR operations the sandbox answers itself,
 * sent to the client as the AWS error of the same name (`code`), e.g.
 * `TableAlreadyExistsException` or `InvalidRestoreTimeException`.
 */
export class BackupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
