import ipaddr from 'ipaddr.js'

// Which IP addresses a browser may reach. Pure: an address string in, a refusal rule (or null) out.
// Every IPv6 form that embeds an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) is judged by
// the IPv4 address inside it, since that is where a packet may end up.

export type AddressRule =
  | 'loopback'
  | 'private-address'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'invalid-address'

const V4_RULES: Readonly<Record<string, AddressRule>> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  private: 'private-address',
  carrierGradeNat: 'private-address',
  reserved: 'reserved',
  as112: 'reserved',
  amt: 'reserved',
}

const V6_RULES: Readonly<Record<string, AddressRule>> = {
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'private-address',
}

export type Address = ipaddr.IPv4 | ipaddr.IPv6

/** Parses an IP address (no brackets, no zone id); undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (bare.includes('%')) return undefined // a zone id names an interface: never a public address
  // isValid accepts IPv4 spellings like "0x7f.1"; only the four-part decimal form (what URL parsing
  // and DNS produce) is an address here, so nothing reaches the classifier unnormalised
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return ipaddr.IPv4.parse(bare)
  if (ipaddr.IPv6.isValid(bare)) return ipaddr.IPv6.parse(bare)
  return undefined
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
export function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts
  const v4At = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])
  const range = v6.range()
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return v4At(p[6], p[7])
  if (range === '6to4') return v4At(p[1], p[2])
  // IPv4-compatible (::a.b.c.d, deprecated): :: and ::1 have their own ranges
  if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || p[7] > 1)) return v4At(p[6], p[7])
  return undefined
}

/** null when the address is public unicast; otherwise the rule that refuses it. */
export function classifyAddress(addr: Address): AddressRule | null {
  if (addr.kind() === 'ipv4') {
    const range = addr.range()
    return range === 'unicast' ? null : (V4_RULES[range] ?? 'reserved')
  }
  const v6 = addr as ipaddr.IPv6
  const inner = embeddedIPv4(v6)
  if (inner) {
    // local-use NAT64 (64:ff9b:1::/48) translates into a private network by definition
    if (v6.parts[0] === 0x64 && v6.parts[1] === 0xff9b && v6.parts[2] === 1) return 'private-address'
    return classifyAddress(inner)
  }
  const range = v6.range()
  if (range in V6_RULES) return V6_RULES[range]
  if (range !== 'unicast') return 'reserved' // teredo, documentation, benchmarking, orchid, discard…
  // global unicast is 2000::/3; everything else unlisted is unassigned
  return (v6.parts[0] & 0xe000) === 0x2000 ? null : 'reserved'
}

/** Parsed CIDR list; an IPv4 range also matches that address written as IPv4-mapped IPv6. */
export class CidrList {
  private readonly ranges: readonly [Address, number][]

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map((cidr) => {
      try {
        return ipaddr.parseCIDR(cidr.trim())
      } catch {
        throw new Error(`"${cidr}" is not a CIDR (like 127.0.0.0/8 or fd00::/8)`)
      }
    })
  }

  get size(): number {
    return this.ranges.length
  }

  contains(addr: Address): boolean {
    if (this.ranges.length === 0) return false
    const candidates: Address[] = [addr]
    if (addr.kind() === 'ipv6') {
      const inner = embeddedIPv4(addr as ipaddr.IPv6)
      if (inner) candidates.push(inner)
    }
    return candidates.some((a) => this.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits)))
  }
}
