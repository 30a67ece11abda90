import { Match } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { RUNNER_PORT } from '../../infra/lib/settings.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack()
const edgeSg = idOf(stack.network.edgeSecurityGroup)
const runnerSg = idOf(stack.network.runnerSecurityGroup)
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] })

describe('Network', () => {
  it('spans two AZs: public subnets with a NAT each, private subnets routed through them', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 4)
    template.resourceCountIs('AWS::EC2::NatGateway', 2)
    const privateRoutes = Object.values(template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } }))
    expect(privateRoutes).toHaveLength(2)
    for (const r of privateRoutes) expect(r.Properties.DestinationCidrBlock).toBe('0.0.0.0/0')
  })

  it('opens the runner port to the edge security group and to nothing else', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties)
    expect(ingress).toEqual([
      expect.objectContaining({ GroupId: groupId(runnerSg), SourceSecurityGroupId: groupId(edgeSg), IpProtocol: 'tcp', FromPort: RUNNER_PORT, ToPort: RUNNER_PORT }),
    ])
    for (const [id, sg] of Object.entries(template.findResources('AWS::EC2::SecurityGroup'))) {
      expect(sg.Properties.SecurityGroupIngress, id).toBeUndefined()
    }
  })

  it('lets the edge out only to the runner port and to HTTPS for the AWS APIs', () => {
    expect(propsOf(template, edgeSg).SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })])
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties)
    expect(egress).toEqual([
      expect.objectContaining({ GroupId: groupId(edgeSg), DestinationSecurityGroupId: groupId(runnerSg), FromPort: RUNNER_PORT, ToPort: RUNNER_PORT }),
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
