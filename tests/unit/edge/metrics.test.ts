import { describe, expect, it } from 'vitest'
import { EDGE_SERVICE, emfMetrics } from '../../../edge/core/metrics.ts'
import { EDGE_METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../../runner/contract/metric-names.ts'

describe('emfMetrics', () => {
  it('writes one CloudWatch Embedded Metric Format line per event, under the names the alarms watch and the stack’s Service', () => {
    const lines: string[] = []
    emfMetrics('Crawlfleet-staging', (l) => lines.push(l), () => 1_760_000_000_000).count(EDGE_METRIC.noHealthyRunner)
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0])).toEqual({
      _aws: {
        Timestamp: 1_760_000_000_000,
        CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [[SERVICE_DIMENSION]], Metrics: [{ Name: 'NoHealthyRunner', Unit: 'Count' }] }],
      },
      [SERVICE_DIMENSION]: 'Crawlfleet-staging',
      NoHealthyRunner: 1,
    })
  })

  it('defaults to Service=edge (a local edge) and refuses an empty service', () => {
    const lines: string[] = []
    emfMetrics(undefined, (l) => lines.push(l)).count(EDGE_METRIC.edgeErrors)
    expect(JSON.parse(lines[0])[SERVICE_DIMENSION]).toBe(EDGE_SERVICE)
    expect(() => emfMetrics('')).toThrow(/service/)
  })
})
