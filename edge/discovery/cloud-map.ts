import type { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery'
import type { RunnerEndpoint } from './types.ts'

// Cloud Map: ECS registers every runner task in a namespace (infra/lib/runner-service.ts) and
// keeps its health there; one DiscoverInstances call lists the fleet, however large, so an edge
// instance pays one API call per refresh. The client comes in through `client()` so that the
// SDK is loaded on first use, not at import (edge/cloud-deps.ts).

/** DiscoverInstances returns at most 1,000 instances (MaxResults) and has no pagination. */
const MAX_INSTANCES = 1000

export interface CloudMapQuery {
  client(): Promise<Pick<ServiceDiscoveryClient, 'send'>>
  readonly namespace: string
  readonly service: string
  /** the runner port when an instance does not carry AWS_INSTANCE_PORT (A records only) */
  readonly runnerPort: number
}

export async function listCloudMapRunners(q: CloudMapQuery): Promise<RunnerEndpoint[]> {
  const [client, { DiscoverInstancesCommand }] = await Promise.all([q.client(), import('../aws/service-discovery.ts')])
  const out = await client.send(
    // healthy instances, or every registered one when none is healthy: a fleet whose health
    // checks all fail is better tried (each refusal moves on) than declared empty
    new DiscoverInstancesCommand({ NamespaceName: q.namespace, ServiceName: q.service, HealthStatus: 'HEALTHY_OR_ELSE_ALL', MaxResults: MAX_INSTANCES }),
  )
  const endpoints = new Map<string, RunnerEndpoint>()
  for (const instance of out.Instances ?? []) {
    const ip = instance.Attributes?.AWS_INSTANCE_IPV4
    if (!ip) continue
    const port = Number(instance.Attributes?.AWS_INSTANCE_PORT) || q.runnerPort
    const id = `${ip}:${port}`
    endpoints.set(id, { id, url: `http://${id}` })
  }
  return [...endpoints.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
}
