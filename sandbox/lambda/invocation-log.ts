import type { MetricDatum } from '../cloudwatch/metric-sink.js';
import { emfMetricData } from './emf.js';
import type { LogRecord } from './function-logs.js';
import type { OutputStream } from './warm-instance.js';

/**
 * The log of one invocation as Lambda writes it: START, the function's output lines, any
 * error or timeout line, END and REPORT. Collected in memory, then written in one append
 * (and tailed for `LogType: Tail`).
 */
export class InvocationLog {
  readonly records: LogRecord[] = [];

  constructor(
    private readonly version: string,
    private readonly requestId: string,
  ) {}

  platform(message: string): void {
    this.push('platform', message);
  }

  output(stream: OutputStream, line: string): void {
    this.push(stream, line);
  }

  /** EMF lines in the function's output, as CloudWatch Logs would extract them. */
  metricData(account: string, region: string): MetricDatum[] {
    return this.records.flatMap((r) =>
      r.stream === 'platform' ? [] : (emfMetricData(r.message, account, region, r.timestamp) ?? []),
    );
  }

  private push(stream: LogRecord['stream'], message: string): void {
    this.records.push({
      timestamp: Date.now(),
      version: this.version,
      requestId: this.requestId,
      stream,
      message,
    });
  }
}
