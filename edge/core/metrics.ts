import { EDGE_METRIC, EDGE_SERVICE, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'

export type EdgeMetricName = (typeof EDGE_METRIC)[keyof typeof EDGE_METRIC]

export interface EdgeMetrics {
  count(name: EdgeMetricName): void
}

export const noMetrics: EdgeMetrics = { count() {} }

export { EDGE_SERVICE }

/**
 * CloudWatch Embedded Metric Format: in Lambda a JSON line on stdout becomes a metric with no
 * API call and no extra latency. One line per event; CloudWatch sums them. `service` is the value
 * of the Service dimension: the stack's name in the cloud (CRAWLFLEET_METRICS_SERVICE), so two
 * stacks in one account keep their metrics and alarms apart.
 */
export function emfMetrics(service: string = EDGE_SERVICE, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), wallMs = Date.now): EdgeMetrics {
  if (!service) throw new Error('the metrics service must be a non-empty string')
  return {
    count(name) {
      write(
        JSON.stringify({
          _aws: {
            Timestamp: wallMs(),
            CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[SERVICE_DIMENSION]], Metrics: [{ Name: name, Unit: 'Count' }] }],
          },
          [SERVICE_DIMENSION]: service,
          [name]: 1,
        }),
      )
    },
  }
}
