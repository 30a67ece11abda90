import { describe, expect, it } from 'vitest'
import type { Setting } from '../../runner/contract/settings/define.ts'
import { EDGE_SETTINGS } from '../../runner/contract/settings/edge-settings.ts'
import { RUNNER_SETTINGS } from '../../runner/contract/settings/runner-settings.ts'
import { buildStack } from './build-stack.ts'

// The CDK stack sets the runner's and the edge's environment; every variable it sets must be one
// the process declares (and reads), with a value the process's own parser accepts.

const byEnv = (table: Readonly<Record<string, Setting<unknown>>>) => new Map(Object.values(table).map((s) => [s.env, s]))
const plain = (v: unknown) => (typeof v === 'string' ? v : undefined) // tokens (Ref, Fn::*) resolve at deploy time

describe('settings shared by the processes and the stack', () => {
  const { template } = buildStack({ context: { promoteAfterUses: 5, coldTtlSec: '120,60,30', maxBrowsers: 4 } })
  const resources = Object.values(template.toJSON().Resources) as { Type: string; Properties: any }[]

  it('gives the runner container only declared runner settings, each valid for the runner', () => {
    const [task] = resources.filter((r) => r.Type === 'AWS::ECS::TaskDefinition')
    const container = task!.Properties.ContainerDefinitions[0]
    const declared = byEnv(RUNNER_SETTINGS)
    const names = [...container.Environment.map((e: { Name: string }) => e.Name), ...container.Secrets.map((e: { Name: string }) => e.Name)]
    expect(names.filter((n: string) => !declared.has(n))).toEqual([])
    for (const { Name, Value } of container.Environment as { Name: string; Value: unknown }[]) {
      const v = plain(Value)
      if (v !== undefined) expect(() => declared.get(Name)!.parse(v), Name).not.toThrow()
    }
    expect(container.Environment).toEqual(expect.arrayContaining([{ Name: 'CRAWLFLEET_PROMOTE_AFTER_USES', Value: '5' }, { Name: 'CRAWLFLEET_MAX_BROWSERS', Value: '4' }]))
  })

  it('gives the edge function only declared edge settings (and Node options), each valid for the edge', () => {
    const fns = resources.filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[EDGE_SETTINGS.discovery.env])
    expect(fns).toHaveLength(1)
    const vars = fns[0]!.Properties.Environment.Variables as Record<string, unknown>
    const declared = byEnv(EDGE_SETTINGS)
    expect(Object.keys(vars).filter((n) => !declared.has(n) && n !== 'NODE_OPTIONS')).toEqual([])
    for (const [name, value] of Object.entries(vars)) {
      const v = plain(value)
      if (v !== undefined && name !== 'NODE_OPTIONS') expect(() => declared.get(name)!.parse(v), name).not.toThrow()
    }
  })
})
