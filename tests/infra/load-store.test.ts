import { describe, expect, it } from 'vitest'
import { LOAD_STORE_PORT } from '../../infra/lib/load-store.ts'
import { readSettings } from '../../runner/contract/settings/define.ts'
import { EDGE_SETTINGS } from '../../runner/contract/settings/edge-settings.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack()
const cacheId = stack.getLogicalId(stack.loadStore.cache)
const storeUrl = { 'Fn::Join': ['', ['rediss://', { 'Fn::GetAtt': [cacheId, 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [cacheId, 'Endpoint.Port'] }]] }

describe('LoadStore', () => {
  it('is one ElastiCache Serverless Valkey cache in the edge’s two private subnets, behind a security group of its own', () => {
    template.resourceCountIs('AWS::ElastiCache::ServerlessCache', 1)
    const cache = propsOf(template, cacheId)
    expect(cache).toMatchObject({ Engine: 'valkey', MajorEngineVersion: '8' })
    expect(cache.SubnetIds).toEqual(stack.network.vpc.privateSubnets.map((s) => ({ Ref: idOf(s) })))
    expect(cache.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [idOf(stack.loadStore.securityGroup), 'GroupId'] }])
    expect(cache.ServerlessCacheName).toMatch(/^[a-z][a-z0-9-]{0,39}$/)
  })

  it('takes connections on its port from the edge and the runners only, and opens none of its own', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((r) => JSON.stringify(r.GroupId) === JSON.stringify({ 'Fn::GetAtt': [idOf(stack.loadStore.securityGroup), 'GroupId'] }))
    expect(ingress.map((r) => [r.SourceSecurityGroupId, r.FromPort, r.ToPort])).toEqual([
      [{ 'Fn::GetAtt': [idOf(stack.network.edgeSecurityGroup), 'GroupId'] }, LOAD_STORE_PORT, LOAD_STORE_PORT],
      [{ 'Fn::GetAtt': [idOf(stack.network.runnerSecurityGroup), 'GroupId'] }, LOAD_STORE_PORT, LOAD_STORE_PORT],
    ])
    expect(propsOf(template, idOf(stack.loadStore.securityGroup)).SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })])
  })

  it('is given to the edge and to every runner as its TLS URL, which the edge’s own settings accept', () => {
    expect(propsOf(template, idOf(stack.edge.fn)).Environment.Variables.CRAWLFLEET_LOAD_STORE_URL).toEqual(storeUrl)
    const container = propsOf(template, idOf(stack.runners.taskDefinition)).ContainerDefinitions[0]
    const env = Object.fromEntries((container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]))
    expect(env.CRAWLFLEET_LOAD_STORE_URL).toEqual(storeUrl)
    const settings = readSettings(EDGE_SETTINGS, { CRAWLFLEET_LOAD_STORE_URL: 'rediss://crawlfleet-abc.serverless.use1.cache.amazonaws.com:6379' })
    expect(settings.loadStoreUrl).toBe('rediss://crawlfleet-abc.serverless.use1.cache.amazonaws.com:6379')
  })
})
