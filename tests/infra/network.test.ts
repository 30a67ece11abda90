import { Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { LOAD_STORE_PORT } from '../../infra/lib/load-store.ts'
import { RUNNER_PORT } from '../../infra/lib/settings.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack()
const edgeSg = idOf(stack.network.edgeSecurityGroup)
const runnerSg = idOf(stack.network.runnerSecurityGroup)
const storeSg = idOf(stack.loadStore.securityGroup)
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] })

describe('Network', () => {
  it('spans two AZs: public subnets with a NAT each, private subnets routed through them', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4)
    template.resourceCountIs('AWS::EC2::NatGateway', 2)
    const privateRoutes = Object.values(template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } }))
    expect(privateRoutes).toHaveLength(2)
    for (const r of privateRoutes) expect(r.Properties.DestinationCidrBlock).toBe('0.0.0.0/0')
  })

  it('opens the runner port to the edge security group, the load store to the edge and the runners, and nothing else', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    expect(ingress).toEqual([
      expect.objectContaining({ GroupId: groupId(runnerSg), SourceSecurityGroupId: groupId(edgeSg), IpProtocol: 'tcp', FromPort: RUNNER_PORT, ToPort: RUNNER_PORT }),
      expect.objectContaining({ GroupId: groupId(storeSg), SourceSecurityGroupId: groupId(edgeSg), IpProtocol: 'tcp', FromPort: LOAD_STORE_PORT, ToPort: LOAD_STORE_PORT }),
      expect.objectContaining({ GroupId: groupId(storeSg), SourceSecurityGroupId: groupId(runnerSg), IpProtocol: 'tcp', FromPort: LOAD_STORE_PORT, ToPort: LOAD_STORE_PORT }),
    ])
    for (const [id, sg] of Object.entries(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(sg.Properties.SecurityGroupIngress, id).toBeUndefined()
    }
  })

  it('lets the edge out only to the runner port, the load store and HTTPS for the AWS APIs', () => {
    expect(propsOf(template, edgeSg).SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })])
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties)
    expect(egress).toEqual([
      expect.objectContaining({ GroupId: groupId(edgeSg), DestinationSecurityGroupId: groupId(runnerSg), FromPort: RUNNER_PORT, ToPort: RUNNER_PORT }),
      expect.objectContaining({ GroupId: groupId(edgeSg), DestinationSecurityGroupId: groupId(storeSg), FromPort: LOAD_STORE_PORT, ToPort: LOAD_STORE_PORT }),
    ])
  })

  it('lets runners out to the whole web (they render arbitrary sites)', () => {
    expect(propsOf(template, runnerSg).SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })])
  })

  it('logs rejected flows to a log group with retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' })
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 })
  })

  it('uses one NAT when told to', () => {
    buildStack({ context: { natGateways: 1 } }).template.resourceCountIs('AWS::EC2::NatGateway', 1)
  })
})

describe('Network, egress public (no NAT)', () => {
  const { stack, template } = buildStack({ context: { egress: 'public' } })
  const net = stack.network

  it('has no NAT gateway: public subnets for the runners, isolated ones for the edge', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0)
    template.resourceCountIs('AWS::EC2::EIP', 0)
    expect(net.vpc.publicSubnets).toHaveLength(2)
    expect(net.vpc.privateSubnets).toHaveLength(0)
    expect(net.vpc.isolatedSubnets).toHaveLength(2)
    // the subnets hand out no public IP by default: only the runner tasks ask for one
    for (const s of net.vpc.publicSubnets) expect(propsOf(template, idOf(s)).MapPublicIpOnLaunch).toBe(false)
  })

  it('runs the runners in the public subnets with public IPs, behind a security group that admits only the edge', () => {
    const service = propsOf(template, idOf(stack.runners.service))
    expect(service.NetworkConfiguration.AwsvpcConfiguration).toMatchObject({
      AssignPublicIp: 'ENABLED',
      Subnets: net.vpc.publicSubnets.map((s) => ({ Ref: idOf(s) })),
      SecurityGroups: [{ 'Fn::GetAtt': [idOf(net.runnerSecurityGroup), 'GroupId'] }],
    })
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    const toRunners = ingress.filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(groupId(idOf(net.runnerSecurityGroup))))
    expect(toRunners).toEqual([expect.objectContaining({ SourceSecurityGroupId: groupId(idOf(net.edgeSecurityGroup)), FromPort: RUNNER_PORT, ToPort: RUNNER_PORT })])
    for (const [id, sg] of Object.entries(template.findResources('AWS::EC2::SecurityGroup'))) expect(sg.Properties.SecurityGroupIngress, id).toBeUndefined()
  })

  it('gives the edge Cloud Map, ECS and Secrets Manager through interface endpoints that take HTTPS from the edge only', () => {
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((r) => r.Properties)
    expect(endpoints.map((e) => JSON.stringify(e.ServiceName)).sort()).toEqual([expect.stringContaining('.data-servicediscovery'), expect.stringContaining('.ecs'), expect.stringContaining('.secretsmanager')])
    for (const e of endpoints) {
      expect(e).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: true, SubnetIds: net.vpc.isolatedSubnets.map((s) => ({ Ref: idOf(s) })) })
    }
    const [endpointSg] = endpoints[0].SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[]
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    expect(ingress.filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(endpointSg))).toEqual([
      expect.objectContaining({ SourceSecurityGroupId: groupId(idOf(net.edgeSecurityGroup)), IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ])
    // the edge reaches nothing but the runners, the load store and the endpoints
    expect(propsOf(template, idOf(net.edgeSecurityGroup)).SecurityGroupEgress).toBeUndefined()
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties)
    const destinations = egress.map((e) => e.DestinationSecurityGroupId)
    expect(destinations).toHaveLength(3)
    expect(destinations).toEqual(expect.arrayContaining([endpointSg, groupId(idOf(net.runnerSecurityGroup)), groupId(idOf(stack.loadStore.securityGroup))]))
  })
})
