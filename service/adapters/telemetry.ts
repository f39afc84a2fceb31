import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { maskReplacer } from './pii-mask.js';

/** Namespace of the service's EMF metrics; the canary gates and alarms read it. */
export const METRICS_NAMESPACE = 'OrderService';

/** The EMF metric names the alarms, dashboard and canary analysis depend on. */
export const METRIC = {
  ordersCreated: 'OrdersCreated',
  processingFailed: 'OrderProcessingFailed',
  eventPublishFailed: 'EventPublishFailed',
  eventsPublished: 'EventsPublished',
  latency: 'Latency',
} as const;

/**
 * What handlers may report. Narrow on purpose: a handler cannot log an arbitrary object
 * without it passing through the PII replacer.
 */
export interface Telemetry {
  readonly logger: Logger;
  orderCreated(): void;
  /** One request or event finished; `failed` marks a server-side failure (not a 4xx). */
  operationDone(operation: string, latencyMs: number, failed: boolean): void;
  eventPublishFailed(): void;
  /** An order event was accepted by EventBridge (the denominator of the failure rate). */
  eventPublished(): void;
  /** Writes buffered EMF metrics to stdout (one JSON line), where Lambda ships them. */
  flush(): void;
}

/** The dimension that tells a canary's metrics from the stable version's. */
export const VERSION_DIMENSION = 'function_version';

export const createTelemetry = (options: {
  service: string;
  environment: string;
  /**
   * The Lambda version running (AWS_LAMBDA_FUNCTION_VERSION). When set, the metrics the
   * canary gates judge are emitted a second time with a `function_version` dimension, so
   * the canary and the stable version can be read apart while both take traffic; the
   * version-less series stay as they are for the alarms and the dashboard.
   */
  functionVersion?: string;
}): Telemetry => {
  const logger = new Logger({
    serviceName: options.service,
    persistentKeys: { environment: options.environment },
    jsonReplacerFn: maskReplacer,
  });
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: options.service,
    defaultDimensions: { environment: options.environment },
  });
  const version = options.functionVersion;
  const perVersion = (name: string, value: number) => {
    if (!version) return;
    metrics
      .singleMetric()
      .addDimension(VERSION_DIMENSION, version)
      .addMetric(name, MetricUnit.Count, value);
  };
  return {
    logger,
    orderCreated: () => metrics.addMetric(METRIC.ordersCreated, MetricUnit.Count, 1),
    operationDone: (operation, latencyMs, failed) => {
      // Latency carries the operation dimension so the gates can judge create and status
      // updates separately (the plan's p95 limits differ per operation).
      metrics
        .singleMetric()
        .addDimension('operation', operation)
        .addMetric(METRIC.latency, MetricUnit.Milliseconds, latencyMs);
      metrics.addMetric(METRIC.processingFailed, MetricUnit.Count, failed ? 1 : 0);
      if (version) {
        metrics
          .singleMetric()
          .addDimensions({ operation, [VERSION_DIMENSION]: version })
          .addMetric(METRIC.latency, MetricUnit.Milliseconds, latencyMs);
        perVersion(METRIC.processingFailed, failed ? 1 : 0);
      }
    },
    eventPublishFailed: () => {
      metrics.addMetric(METRIC.eventPublishFailed, MetricUnit.Count, 1);
      perVersion(METRIC.eventPublishFailed, 1);
    },
    eventPublished: () => {
      metrics.addMetric(METRIC.eventsPublished, MetricUnit.Count, 1);
      perVersion(METRIC.eventsPublished, 1);
    },
    flush: () => metrics.publishStoredMetrics(),
  };
};
