import { describe, expect, it } from 'vitest'
import { runnerNodeFlags } from '../../../runner/resources/node-flags.ts'

const GiB = 1024 ** 3

describe('runnerNodeFlags', () => {
  it('keeps the young generation small and gives the old one an eighth of the container, within bounds', () => {
    expect(runnerNodeFlags(4 * GiB)).toEqual(['--max-semi-space-size=2', '--max-old-space-size=512'])
    expect(runnerNodeFlags(1 * GiB)).toEqual(['--max-semi-space-size=2', '--max-old-space-size=192'])
    expect(runnerNodeFlags(64 * GiB)).toEqual(['--max-semi-space-size=2', '--max-old-space-size=1024'])
  })

  it("leaves V8's own heap limit when the memory is unknown", () => {
    expect(runnerNodeFlags(undefined)).toEqual(['--max-semi-space-size=2'])
    expect(runnerNodeFlags(Number.POSITIVE_INFINITY)).toEqual(['--max-semi-space-size=2'])
  })
})
