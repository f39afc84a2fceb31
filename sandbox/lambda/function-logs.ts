import { appendFile, type FileHandle, mkdir, open } from 'node:fs/promises';
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

/** One file's writer: an open handle, and the texts waiting for the write under way. */
interface FileWriter {
  handle?: Promise<FileHandle>;
  writing: boolean;
  /** The drain under way, so close() can let it finish before closing the handle. */
  drained?: Promise<void>;
  pending: Array<{ text: string; done: () => void; failed: (error: Error) => void }>;
}

/**
 * Per-function log files, `<dir>/<account>/<region>/<function>.log`, standing in for the
 * `/aws/lambda/<function>` log group. Each file is opened once and written by group commit:
 * appends that arrive while a write is under way go out together in the next one, so records
 * of concurrent invocations interleave only whole, and an invocation's records are on disk
 * (in the file, not just in memory) before its response is returned — at one write per burst
 * instead of an open/append/close per invocation.
 */
export class FunctionLogs {
  private readonly writers = new Map<string, FileWriter>();
  private closed = false;

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
    // After close (the runtime stopping, busy invocations ending): still written, one append
    // each — the last records of an invocation matter most.
    if (this.closed) {
      return mkdir(dirname(file), { recursive: true }).then(() => appendFile(file, text));
    }
    let writer = this.writers.get(file);
    if (!writer) {
      writer = { writing: false, pending: [] };
      this.writers.set(file, writer);
    }
    const w = writer;
    return new Promise<void>((done, failed) => {
      w.pending.push({ text, done, failed });
      if (!w.writing) w.drained = this.drain(file, w);
    });
  }

  /** Writes everything pending in one go, then whatever arrived meanwhile, until empty. */
  private async drain(file: string, w: FileWriter): Promise<void> {
    w.writing = true;
    while (w.pending.length > 0) {
      const batch = w.pending.splice(0);
      try {
        w.handle ??= mkdir(dirname(file), { recursive: true }).then(() => open(file, 'a'));
        const handle = await w.handle;
        await handle.appendFile(batch.map((b) => b.text).join(''));
        for (const b of batch) b.done();
      } catch (error) {
        // A failed write must not wedge the file for later invocations: reopen next time.
        w.handle = undefined;
        for (const b of batch) b.failed(error as Error);
      }
    }
    w.writing = false;
  }

  /** Closes the open files (the runtime's close). */
  async close(): Promise<void> {
    this.closed = true;
    const writers = [...this.writers.values()];
    this.writers.clear();
    await Promise.all(
      writers.map(async (w) => {
        await w.drained;
        const handle = await w.handle?.catch(() => undefined);
        await handle?.close().catch(() => {});
      }),
    );
  }
}
