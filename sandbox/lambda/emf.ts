import type { MetricDatum } from '../cloudwatch/metric-sink.js';

/**
 * Embedded Metric Format: a log line that is a JSON object with `_aws.CloudWatchMetrics`
 * becomes metric data, as CloudWatch Logs does for Lambda output. Powertools Metrics (which
 * the order service uses) prints exactly these lines.
 * Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

const numbers = (value: unknown): number[] => {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
};

/**
 * The metric data in one EMF line, or undefined when the line is not EMF (plain logs are
 * the common case, so this is cheap for them). Every directive × metric × dimension set
 * yields one datum; a directive with no dimension sets yields one datum without dimensions.
 *
 * @example
 * emfMetricData('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["service"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"service":"s","M":1}', '815856636111', 'eu-west-1', Date.now())
 * // → [{ namespace: 'N', metricName: 'M', dimensions: { service: 's' }, values: [1], unit: 'Count', … }]
 */
export const emfMetricData = (
  line: string,
  account: string,
  region: string,
  receivedAt: number,
): MetricDatum[] | undefined => {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return undefined;
  let root: Record<string, unknown>;
  try {
    root = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const aws = root._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return undefined;
  const timestamp = typeof aws.Timestamp === 'number' ? aws.Timestamp : receivedAt;
  const data: MetricDatum[] = [];
  for (const directive of aws.CloudWatchMetrics as Directive[]) {
    if (typeof directive?.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [];
    const dimensionSets: Record<string, string>[] = [];
    for (const set of sets.length > 0 ? sets : [[]]) {
      if (!Array.isArray(set)) continue;
      const dimensions: Record<string, string> = {};
      // A dimension without a string value makes the set invalid, as in CloudWatch.
      const complete = set.every((name) => {
        const value = typeof name === 'string' ? root[name] : undefined;
        if (typeof value !== 'string') return false;
        dimensions[name as string] = value;
        return true;
      });
      if (complete) dimensionSets.push(dimensions);
    }
    for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      if (typeof metric?.Name !== 'string') continue;
      const values = numbers(root[metric.Name]);
      if (values.length === 0) continue;
      for (const dimensions of dimensionSets) {
        data.push({
          account,
          region,
          namespace: directive.Namespace,
          metricName: metric.Name,
          dimensions,
          timestamp,
          values,
          ...(typeof metric.Unit === 'string' ? { unit: metric.Unit } : {}),
        });
      }
    }
  }
  return data;
};
