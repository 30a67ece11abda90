import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { cdkJsonContext } from '../../infra/lib/crawlfleet-app.ts'

// cdk.json carries the feature flags `cdk init` writes for the installed aws-cdk-lib. After an
// upgrade this fails until cdk.json is brought up to date, so new flags are a reviewed change
// (their effect shows in the template snapshot's diff), never a silent one.
const recommended = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>

describe('feature flags', () => {
  it('cdk.json sets every recommended flag of the installed aws-cdk-lib to its recommended value', () => {
    const context = cdkJsonContext()
    expect(Object.keys(recommended).length).toBeGreaterThan(50)
    for (const [flag, value] of Object.entries(recommended)) expect(context[flag], flag).toEqual(value)
  })
})
