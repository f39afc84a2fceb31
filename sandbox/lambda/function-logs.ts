import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** One line of a function's log file (JSON Lines), like one CloudWatch Logs event. */
export interface LogRecord {
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly version: string;
  /** Absent for output no invocation owns (none today: init output goes to the cold start's). */
  readonly requestId?: string;
  /** `platform` marks the START/END/REPORT lines Lambda itself writes. */
  readonly stream: 'stdout' | 'stderr' | 'platform';
  readonly message: string;
}

/** How much log text `LogType: Tail` returns, as in Lambda. */
const TAIL_BYTES = 4 * 1024;

/** `X-Amz-Log-Result`: the last 4 KB of an invocation's log text, base64. */
export const logTail = (records: readonly LogRecord[]): string => {
  const text = Buffer.from(records.map((r) => `${r.message}\n`).join(''));
  return text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString('base64');
};

/**
 * Per-function log files, `<dir>/<account>/<region>/<function>.log`, standing in for the
 * `/aws/lambda/<function>` log group. Appends to one file are chained, so records from
 * concurrent invocations interleave only whole, and an invocation's records are on disk
 * before its response is returned.
 */
export class FunctionLogs {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  fileFor(account: string, region: string, functionName: string): string {
    return join(this.dir, account, region, `${functionName}.log`);
  }

  append(
    account: string,
    region: string,
    functionName: string,
    records: readonly LogRecord[],
  ): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const file = this.fileFor(account, region, functionName);
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const previous = this.queues.get(file) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, text);
    });
    // A failed write must not wedge the queue for later invocations.
    const settled = next.catch(() => {});
    this.queues.set(file, settled);
    void settled.then(() => {
      if (this.queues.get(file) === settled) this.queues.delete(file);
    });
    return next;
  }
}
