import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { isCrawlfleetError } from '../../../runner/contract/errors.ts'
import { refuseAboveLoad } from '../../../runner/http/refuse-above-load.ts'
import { isAboveBound, parseLoadBound } from '../../../runner/pool/refuse-above-load.ts'

describe('the runner’s refuse-above-load hook', () => {
  it('reads the edge’s bound, ignoring anything that is not a load', () => {
    expect(parseLoadBound('0.750')).toBe(0.75)
    expect(parseLoadBound('0')).toBe(0)
    for (const bad of [undefined, null, '', ' ', 'abc', '-1', 'Infinity']) expect(parseLoadBound(bad)).toBeUndefined()
  })

  it('refuses only a load above the bound, compared at the 3 decimals loads travel in', () => {
    expect(isAboveBound(0.5, undefined)).toBe(false)
    expect(isAboveBound(0.5, 0.5)).toBe(false)
    expect(isAboveBound(0.5004, 0.5)).toBe(false)
    expect(isAboveBound(0.501, 0.5)).toBe(true)
    expect(isAboveBound(0, 0)).toBe(false)
  })

  it('answers 429 BUSIER_THAN_ALTERNATIVE at once, saying so in its error code, and lets unbounded or lighter requests through', async () => {
    let load = 1.25
    let served = 0
    const app = new Hono()
    app.onError((err, c) => (isCrawlfleetError(err) ? err.toResponse() : c.text('boom', 500)))
    app.post('/html', refuseAboveLoad(() => load), (c) => (served++, c.json({ success: true })))
    const post = (bound?: string) => app.request('/html', { method: 'POST', headers: bound ? { 'x-crawlfleet-refuse-above-load': bound } : {} })
    const refused = await post('1.000')
    expect(refused.status).toBe(429)
    // the code tells the edge it is its own bound, not pressure (no backoff)
    expect(refused.headers.get('x-crawlfleet-error')).toBe('BUSIER_THAN_ALTERNATIVE')
    expect(refused.headers.has('retry-after')).toBe(false)
    expect(await refused.json()).toMatchObject({ error: { code: 'BUSIER_THAN_ALTERNATIVE' } })
    expect(served).toBe(0)
    expect((await post()).status).toBe(200)
    expect((await post('1.250')).status).toBe(200)
    load = 0.5
    expect((await post('0.750')).status).toBe(200)
    expect(served).toBe(3)
  })
})
