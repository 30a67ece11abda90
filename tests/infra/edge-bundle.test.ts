import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { EDGE_ENTRY } from '../../infra/lib/edge-function.ts'
import { buildStack, idOf } from './build-stack.ts'

// The one test that bundles the real edge/lambda.ts, the way `cdk synth` and `cdk deploy` do:
// with the esbuild in node_modules, never Docker (there is no Docker engine on this machine).
const { app, stack, template } = buildStack({ edgeCode: null })
const assembly = app.synth()
const fnId = idOf(stack.edge.fn)
const s3Key = template.toJSON().Resources[fnId].Properties.Code.S3Key as string
const bundleDir = join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`)

const savedEnv = { ...process.env }
afterAll(() => {
  process.env = savedEnv
  delete (globalThis as { awslambda?: unknown }).awslambda
})

describe('edge bundle', () => {
  it('bundles edge/lambda.ts into one ESM file with a source map beside it (not enabled at run time), handler index.handler', () => {
    expect(existsSync(EDGE_ENTRY)).toBe(true)
    expect(existsSync(join(bundleDir, 'index.mjs'))).toBe(true)
    expect(existsSync(join(bundleDir, 'index.mjs.map'))).toBe(true)
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' })
    expect(template.toJSON().Resources[fnId].Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined()
  })

  it('loads in Node and hands Lambda a streaming handler', async () => {
    const streamified: unknown[] = []
    ;(globalThis as { awslambda?: unknown }).awslambda = {
      streamifyResponse: (h: unknown) => (streamified.push(h), h),
      HttpResponseStream: { from: (s: unknown) => s },
    }
    Object.assign(process.env, {
      CRAWLFLEET_DISCOVERY: 'cloudmap',
      CRAWLFLEET_CLOUDMAP_NAMESPACE: 'crawlfleet.internal',
      CRAWLFLEET_CLOUDMAP_SERVICE: 'runners',
      CRAWLFLEET_ECS_CLUSTER: 'crawlfleet',
      CRAWLFLEET_ECS_SERVICE: 'runners',
      CRAWLFLEET_RUNNER_PORT: '11235',
      AWS_REGION: 'us-east-1',
    })
    const mod = (await import(pathToFileURL(join(bundleDir, 'index.mjs')).href)) as { handler?: unknown }
    expect(typeof mod.handler).toBe('function')
    expect(streamified).toEqual([mod.handler])
  })
})
