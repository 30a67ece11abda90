import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidFieldError, UrlRefusedError } from '../../../runner/contract/errors.ts'
import { createUrlPolicy, type Resolver } from '../../../runner/contract/url-policy/check-url.ts'

function fakeDns(table: Record<string, readonly string[]>) {
  const asked: string[] = []
  const resolve: Resolver = async (host) => {
    asked.push(host)
    const found = table[host]
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return found
  }
  return { resolve, asked }
}

async function refusal(p: Promise<unknown>): Promise<UrlRefusedError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof UrlRefusedError)) throw new Error(`expected a UrlRefusedError, got ${String(err)}`)
  return err
}

// every way of writing a private or loopback address that a URL parser (and Chromium) understands
const LOOPBACK_SPELLINGS = [
  'http://127.0.0.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.1/',
  'http://0x7f000001/',
  'http://127.1/',
  'http://127.0.1/',
  'http://0177.0.0.01/',
  'http://127.0.0.1./',
  'http://%31%32%37.0.0.1/',
  'http://１２７.０.０.１/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[0:0:0:0:0:ffff:127.0.0.1]/',
  'http://[::127.0.0.1]/',
  'http://[64:ff9b::127.0.0.1]/',
  'http://example.com@127.0.0.1/',
  'http://user:pass@127.0.0.1:8080/x',
  'http://example.com:80@0x7f.1/',
  'https://127.0.0.1:443/',
  'HTTP://127.0.0.1/',
  'http://localhost/',
  'http://localhost./',
  'http://LOCALHOST/',
  'http://anything.localhost/',
]

describe('createUrlPolicy().check', () => {
  it.each(LOOPBACK_SPELLINGS)('refuses %s as loopback without asking DNS', async (url) => {
    const dns = fakeDns({})
    const err = await refusal(createUrlPolicy({ resolve: dns.resolve }).check(url))
    expect(err.rule).toBe('loopback')
    expect(err.status).toBe(403)
    expect(err.field).toBe('url')
    expect(dns.asked).toEqual([])
  })

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://169.254.170.2/v2/credentials', 'link-local'],
    ['http://2852039166/', 'link-local'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://10.0.0.1/', 'private-address'],
    ['http://012.0.0.1/', 'private-address'],
    ['http://192.168.0.1:8080/', 'private-address'],
    ['http://172.16.5.4/', 'private-address'],
    ['http://100.64.1.1/', 'private-address'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://255.255.255.255/', 'broadcast'],
  ])('refuses %s as %s', async (url, rule) => {
    expect((await refusal(createUrlPolicy({ resolve: fakeDns({}).resolve }).check(url))).rule).toBe(rule)
  })

  it.each([
    'file:///etc/passwd',
    'chrome://settings',
    'chrome-extension://abc/x.html',
    'view-source:http://example.com/',
    'data:text/html,<h1>x</h1>',
    'javascript:alert(1)',
    'ftp://example.com/file',
    'about:blank',
    'blob:http://example.com/0b4e',
    'ws://example.com/',
    'gopher://example.com/',
  ])('refuses the scheme of %s', async (url) => {
    const dns = fakeDns({ 'example.com': ['93.184.215.14'] })
    const err = await refusal(createUrlPolicy({ resolve: dns.resolve }).check(url, 'urls.3'))
    expect(err.rule).toBe('scheme')
    expect(err.field).toBe('urls.3')
    expect(err.toBody().error).toMatchObject({ code: 'URL_REFUSED', rule: 'scheme', field: 'urls.3' })
    expect(dns.asked).toEqual([])
  })

  it('resolves a host name and refuses it when any address it resolves to is private', async () => {
    const dns = fakeDns({ 'rebind.test': ['93.184.215.14', '10.0.0.7'], 'v6.test': ['2606:4700::1111', '::1'] })
    const policy = createUrlPolicy({ resolve: dns.resolve })
    expect((await refusal(policy.check('http://rebind.test/'))).rule).toBe('private-address')
    expect((await refusal(policy.check('http://v6.test/'))).rule).toBe('loopback')
    expect(dns.asked).toEqual(['rebind.test', 'v6.test'])
  })

  it('allows a host whose addresses are all public and returns the parsed URL', async () => {
    const dns = fakeDns({ 'example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'] })
    const url = await createUrlPolicy({ resolve: dns.resolve }).check('https://example.com/a?b=1')
    expect(url.href).toBe('https://example.com/a?b=1')
    expect(dns.asked).toEqual(['example.com'])
  })

  it('judges the host after userinfo, not the name in it', async () => {
    const dns = fakeDns({ 'internal.test': ['10.1.1.1'] })
    const err = await refusal(createUrlPolicy({ resolve: dns.resolve }).check('http://93.184.215.14@internal.test/'))
    expect(err.rule).toBe('private-address')
  })

  it('refuses a host that does not resolve, or resolves to nothing, as unresolvable', async () => {
    const dns = fakeDns({ 'empty.test': [] })
    const policy = createUrlPolicy({ resolve: dns.resolve })
    expect((await refusal(policy.check('http://nowhere.test/'))).rule).toBe('unresolvable')
    expect((await refusal(policy.check('http://empty.test/'))).rule).toBe('unresolvable')
  })

  it('refuses a host whose resolution does not finish in time', async () => {
    const policy = createUrlPolicy({ resolve: () => new Promise(() => {}), resolveTimeoutMs: 5 })
    expect((await refusal(policy.check('http://slow.test/'))).rule).toBe('unresolvable')
  })

  it('lets private addresses through only inside CRAWLFLEET_ALLOW_CIDRS', async () => {
    const dns = fakeDns({ 'fixture.test': ['127.0.0.1'], 'db.test': ['10.0.0.5'] })
    const policy = createUrlPolicy({ allowCidrs: ['127.0.0.0/8'], resolve: dns.resolve })
    await expect(policy.check('http://127.0.0.1:8080/')).resolves.toBeInstanceOf(URL)
    await expect(policy.check('http://0x7f.1/')).resolves.toBeInstanceOf(URL)
    await expect(policy.check('http://[::ffff:127.0.0.1]/')).resolves.toBeInstanceOf(URL)
    await expect(policy.check('http://fixture.test/')).resolves.toBeInstanceOf(URL)
    expect((await refusal(policy.check('http://db.test/'))).rule).toBe('private-address')
    expect((await refusal(policy.check('http://[::1]/'))).rule).toBe('loopback')
    expect((await refusal(policy.check('http://169.254.169.254/'))).rule).toBe('link-local')
  })

  it('answers an unparseable URL with a 400 naming the field', async () => {
    const err = await createUrlPolicy().check('not a url', 'urls.0').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidFieldError)
    expect((err as InvalidFieldError).field).toBe('urls.0')
  })

  it('refuses every IPv4 loopback, private or link-local address in decimal, octal and hex spellings', async () => {
    const policy = createUrlPolicy({ resolve: fakeDns({}).resolve })
    const privateV4 = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    )
    const spell = fc.constantFrom<(o: number[]) => string>(
      (o) => String(((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3]),
      (o) => o.map((x) => `0${x.toString(8)}`).join('.'),
      (o) => o.map((x) => `0x${x.toString(16)}`).join('.'),
      (o) => `0x${(((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3]).toString(16)}`,
      (o) => `${o[0]}.${(o[1] << 16) + (o[2] << 8) + o[3]}`,
      (o) => `[::ffff:${o.join('.')}]`,
      (o) => `${o.join('.')}.`,
    )
    await fc.assert(
      fc.asyncProperty(privateV4, spell, async (octets, write) => {
        const err = await policy.check(`http://${write(octets)}/`).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(err).toBeInstanceOf(UrlRefusedError)
        expect(['loopback', 'private-address', 'link-local']).toContain((err as UrlRefusedError).rule)
      }),
      { numRuns: 300 },
    )
  })
})

describe('createUrlPolicy().checkAddress', () => {
  it('judges one address synchronously, with the allow list', () => {
    const policy = createUrlPolicy({ allowCidrs: ['10.0.0.0/8'] })
    expect(policy.checkAddress('10.2.3.4')).toBeNull()
    expect(policy.checkAddress('8.8.8.8')).toBeNull()
    expect(policy.checkAddress('127.0.0.1')).toBe('loopback')
    expect(policy.checkAddress('::ffff:169.254.169.254')).toBe('link-local')
    expect(policy.checkAddress('not-an-ip')).toBe('invalid-address')
  })
})

describe('createUrlPolicy({ explainAllowCidrs })', () => {
  it('names the setting that lets a private address through, on a local deployment only', async () => {
    const local = createUrlPolicy({ explainAllowCidrs: true, resolve: fakeDns({}).resolve })
    expect((await refusal(local.check('http://127.0.0.1:8000/'))).message).toContain('add it to CRAWLFLEET_ALLOW_CIDRS, e.g. 127.0.0.0/8')
    expect((await refusal(local.check('http://10.1.2.3/'))).message).toContain('CRAWLFLEET_ALLOW_CIDRS, e.g. 10.1.2.3/32')
    expect((await refusal(local.check('http://[::1]/'))).message).toContain('e.g. ::1/128')
    // what no allow list can lift says nothing about it
    expect((await refusal(local.check('http://224.0.0.1/'))).message).not.toContain('CRAWLFLEET_ALLOW_CIDRS')
    const cloud = createUrlPolicy({ resolve: fakeDns({}).resolve })
    expect((await refusal(cloud.check('http://127.0.0.1:8000/'))).message).not.toContain('CRAWLFLEET_ALLOW_CIDRS')
  })
})
