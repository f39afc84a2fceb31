/**
 * How other sandbox parts (the Lambda runtime, EMF parsing, the SQS sampler) hand metric
 * data points to the CloudWatch emulation. One datum is one PutMetricData entry.
 */
export interface MetricDatum {
  readonly account: string;
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** Raw values; repeated per `counts` when given (PutMetricData Values/Counts). */
  readonly values: readonly number[];
  readonly counts?: readonly number[];
  readonly unit?: string;
  /**
   * A pre-aggregated PutMetricData `StatisticValues` set. When present, `values` is empty:
   * the raw values are unknown, so percentiles come only from sets whose min equals max.
   */
  readonly statistics?: StatisticSet;
}

/** PutMetricData `StatisticValues`, in the sandbox's lower-case spelling. */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

export interface MetricSink {
  put(data: readonly MetricDatum[]): void;
}
