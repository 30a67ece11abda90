import { describe, expect, it } from 'vitest'
import { buildStack } from './build-stack.ts'

// The whole default template, committed: any change to the infrastructure shows in review as a
// diff of tests/infra/__snapshots__/crawlfleet.template.json. After an intended change, update it
// with `npx vitest run tests/infra/snapshot.test.ts -u` and commit the file with the change.
// Asset hashes (the runner image's source, bundles) change with unrelated code, so they are
// replaced by a placeholder; everything else is compared as synthesised.

const ASSET_HASH = /\b[0-9a-f]{64}\b/g

function normalise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_HASH, '<asset-hash>')
  if (Array.isArray(value)) return value.map(normalise)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [normalise(k) as string, normalise(v)]))
  return value
}

describe('template snapshot', () => {
  it('matches the committed template (defaults, us-east-1, the runner image as the asset cdk synth builds)', async () => {
    const { template } = buildStack({ runnerImage: null })
    const text = `${JSON.stringify(normalise(template.toJSON()), null, 2)}\n`
    expect(text).not.toMatch(ASSET_HASH)
    await expect(text).toMatchFileSnapshot('./__snapshots__/crawlfleet.template.json')
  })

  it('hides asset hashes and nothing else', () => {
    const hash = 'a'.repeat(64)
    expect(normalise({ S3Key: `${hash}.zip`, Image: `repo:${hash}`, Short: 'abc123', [hash]: 1 })).toEqual({
      S3Key: '<asset-hash>.zip',
      Image: 'repo:<asset-hash>',
      Short: 'abc123',
      '<asset-hash>': 1,
    })
  })
})
