// See secrets-manager.ts: loaded on first use (ECS is the fallback registry), only what the edge sends.
export { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
