import type { ECSClient, Task } from '@aws-sdk/client-ecs'
import type { RunnerEndpoint } from './types.ts'

const DESCRIBE_BATCH = 100 // DescribeTasks takes at most 100 tasks
const MAX_LIST_PAGES = 100 // 10,000 tasks: a guard against a paginator that never ends

export interface EcsTaskQuery {
  /** the client, or how to make it on first use (the SDK then loads only when ECS is asked) */
  readonly client: Pick<ECSClient, 'send'> | (() => Promise<Pick<ECSClient, 'send'>>)
  readonly cluster: string
  /** only this service's tasks; every task in the cluster when unset */
  readonly serviceName?: string
  readonly runnerPort: number
}

/** One full read: ListTasks (paginated) then DescribeTasks in batches of 100. */
export async function listRunnerTasks(q: EcsTaskQuery): Promise<RunnerEndpoint[]> {
  const [client, { DescribeTasksCommand, ListTasksCommand }] = await Promise.all([
    typeof q.client === 'function' ? q.client() : q.client,
    import('../aws/ecs.ts'),
  ])
  const arns: string[] = []
  let nextToken: string | undefined
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const out = await client.send(
      new ListTasksCommand({ cluster: q.cluster, serviceName: q.serviceName, desiredStatus: 'RUNNING', maxResults: 100, nextToken }),
    )
    arns.push(...(out.taskArns ?? []))
    nextToken = out.nextToken
    if (!nextToken) break
  }
  const batches: string[][] = []
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) batches.push(arns.slice(i, i + DESCRIBE_BATCH))
  const described = await Promise.all(batches.map((tasks) => client.send(new DescribeTasksCommand({ cluster: q.cluster, tasks }))))
  const endpoints = new Map<string, RunnerEndpoint>()
  for (const task of described.flatMap((d) => d.tasks ?? [])) {
    const ip = routableAddress(task)
    if (ip) endpoints.set(`${ip}:${q.runnerPort}`, { id: `${ip}:${q.runnerPort}`, url: `http://${ip}:${q.runnerPort}` })
  }
  return [...endpoints.values()].sort((a, b) => (a.id < b.id ? -1 : 1))
}

/**
 * The private IPv4 of a task that may take requests: RUNNING, not being stopped, healthy or not
 * yet checked (a new task is UNKNOWN until its first health check, and it is already serving).
 * A task whose network interface is not attached yet has no address and is skipped.
 */
export function routableAddress(task: Task): string | undefined {
  if (task.lastStatus !== 'RUNNING') return undefined
  if (task.desiredStatus !== undefined && task.desiredStatus !== 'RUNNING') return undefined
  if (task.healthStatus === 'UNHEALTHY') return undefined
  for (const a of task.attachments ?? []) {
    if (a.type !== 'ElasticNetworkInterface') continue
    const ip = a.details?.find((d) => d.name === 'privateIPv4Address')?.value
    if (ip) return ip
  }
  for (const c of task.containers ?? []) {
    const ip = c.networkInterfaces?.find((n) => n.privateIpv4Address)?.privateIpv4Address
    if (ip) return ip
  }
  return undefined
}
