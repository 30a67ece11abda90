// See secrets-manager.ts: loaded on first use, only what the edge sends.
export { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery'
