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
}

export interface MetricSink {
  put(data: readonly MetricDatum[]): void;
}
