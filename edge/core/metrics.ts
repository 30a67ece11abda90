import { EDGE_METRIC, EDGE_SERVICE, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'

export type EdgeMetricName = (typeof EDGE_METRIC)[keyof typeof EDGE_METRIC]

export interface EdgeMetrics {
  count(name: EdgeMetricName): void
}

export const noMetrics: EdgeMetrics = { count() {} }

export { EDGE_SERVICE }

/**
 * CloudWatch Embedded Metric Format: in Lambda a JSON line on stdout becomes a metric with no
 * API call and no extra latency. One line per event; CloudWatch sums them.
 */
export function emfMetrics(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), wallMs = Date.now): EdgeMetrics {
  return {
    count(name) {
      write(
        JSON.stringify({
          _aws: {
            Timestamp: wallMs(),
            CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[SERVICE_DIMENSION]], Metrics: [{ Name: name, Unit: 'Count' }] }],
          },
          [SERVICE_DIMENSION]: EDGE_SERVICE,
          [name]: 1,
        }),
      )
    },
  }
}
