import { describe, expect, it } from 'vitest'
import { CidrList, classifyAddress, parseAddress } from '../../../runner/contract/url-policy/address-class.ts'

const classify = (ip: string) => {
  const addr = parseAddress(ip)
  if (!addr) throw new Error(`test input ${ip} is not an address`)
  return classifyAddress(addr)
}

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private-address'],
    ['172.16.0.1', 'private-address'],
    ['172.31.255.255', 'private-address'],
    ['192.168.1.1', 'private-address'],
    ['100.64.0.1', 'private-address'],
    ['169.254.169.254', 'link-local'],
    ['169.254.170.2', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['fec0::1', 'private-address'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is refused as %s', (ip, rule) => {
    expect(classify(ip)).toBe(rule)
  })

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private-address'],
    ['::127.0.0.1', 'loopback'],
    ['::a00:1', 'private-address'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::8.8.8.8', 'private-address'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
  ])('IPv6 %s carrying a private IPv4 is refused as %s', (ip, rule) => {
    expect(classify(ip)).toBe(rule)
  })

  it.each(['8.8.8.8', '1.1.1.1', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1'])(
    '%s is public',
    (ip) => {
      expect(classify(ip)).toBeNull()
    },
  )
})

describe('parseAddress', () => {
  it('takes only canonical dotted IPv4, bracketed or bare IPv6, and no zone ids', () => {
    expect(parseAddress('127.0.0.1')?.toString()).toBe('127.0.0.1')
    expect(parseAddress('[::1]')?.toString()).toBe('::1')
    expect(parseAddress('0x7f.1')).toBeUndefined()
    expect(parseAddress('2130706433')).toBeUndefined()
    expect(parseAddress('fe80::1%eth0')).toBeUndefined()
    expect(parseAddress('example.com')).toBeUndefined()
  })
})

describe('CidrList', () => {
  it('matches IPv4 ranges, also written as IPv4-mapped IPv6, and IPv6 ranges', () => {
    const list = new CidrList(['127.0.0.0/8', 'fd00::/8'])
    expect(list.contains(parseAddress('127.4.5.6')!)).toBe(true)
    expect(list.contains(parseAddress('::ffff:127.0.0.1')!)).toBe(true)
    expect(list.contains(parseAddress('fd00::5')!)).toBe(true)
    expect(list.contains(parseAddress('10.0.0.1')!)).toBe(false)
    expect(list.contains(parseAddress('::1')!)).toBe(false)
  })

  it('refuses a malformed CIDR, naming it', () => {
    expect(() => new CidrList(['127.0.0.0/33'])).toThrow(/127\.0\.0\.0\/33/)
    expect(() => new CidrList(['localhost'])).toThrow(/localhost/)
  })
})
