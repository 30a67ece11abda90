import { lookup } from 'node:dns/promises'
import { InvalidFieldError, UrlRefusedError } from '../errors.ts'
import { raceTimeout } from '../deadlines.ts'
import { CidrList, classifyAddress, parseAddress } from './address-class.ts'
import { RULE_TEXT, type RefusalRule } from './refusal-rules.ts'


// The SSRF policy, shared by the edge (the first URL) and the runner (every request the browser
// makes). Host spellings are left to WHATWG URL parsing, which Chromium follows: it turns
// 2130706433, 0177.0.0.1, 0x7f.1, 127.1, %31%32%37.0.0.1 and full-width digits into 127.0.0.1
// and drops userinfo, so the policy judges the same host the browser will connect to.


/** Every address a host name resolves to (A and AAAA). Throws or returns [] when there is none. */
export type Resolver = (hostname: string) => Promise<readonly string[]>

export interface UrlPolicy {
  /** The parsed URL when it may be fetched; throws UrlRefusedError (403, names the rule) otherwise. */
  check(url: string, field?: string): Promise<URL>
  /** Sync verdict on one address (no DNS): null when allowed, else the rule that refuses it. */
  checkAddress(ip: string): RefusalRule | null
  /** The address to connect to for `hostname`, once every address it resolves to passed; throws UrlRefusedError. */
  resolveHost(hostname: string, field?: string, resolve?: Resolver): Promise<string>
  /** Every address of `hostname`, each of which passed (connect to these and no other); throws UrlRefusedError. */
  allowedAddresses(hostname: string, field?: string, resolve?: Resolver): Promise<readonly string[]>
}

export interface UrlPolicyOptions {
  /** CIDRs let through even though private (CRAWLFLEET_ALLOW_CIDRS), e.g. 127.0.0.0/8 for a fixture site */
  readonly allowCidrs?: readonly string[]
  readonly resolve?: Resolver
  readonly resolveTimeoutMs?: number
  /**
   * Refusals of private addresses say which setting lets them through. For local stacks only: a
   * caller of a cloud deployment cannot set the operator's variables, and need not learn them.
   */
  readonly explainAllowCidrs?: boolean
}

/** The rules a CRAWLFLEET_ALLOW_CIDRS entry can lift. */
const ALLOWABLE: ReadonlySet<RefusalRule> = new Set(['loopback', 'private-address', 'link-local', 'unique-local'])

const MAX_REMEMBERED_VERDICTS = 4096

export const ALLOWED_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:'])

/** True for an IP address or a *.localhost name: judged without asking DNS. */
export function resolvesWithoutDns(hostname: string): boolean {
  return parseAddress(hostname) !== undefined || LOCALHOST.test(hostname)
}

// Chromium answers *.localhost itself, without asking DNS
const LOCALHOST = /(^|\.)localhost\.*$/i

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)

export function createUrlPolicy(o: UrlPolicyOptions = {}): UrlPolicy {
  const allow = new CidrList(o.allowCidrs ?? [])
  const defaultResolve = o.resolve ?? systemResolver
  const resolveTimeoutMs = o.resolveTimeoutMs ?? 5_000

  // the egress proxy asks about the same few addresses for every request a page makes
  const verdicts = new Map<string, RefusalRule | null>()
  function checkAddress(ip: string): RefusalRule | null {
    const known = verdicts.get(ip)
    if (known !== undefined) return known
    const addr = parseAddress(ip)
    const verdict = !addr ? 'invalid-address' : allow.contains(addr) ? null : classifyAddress(addr)
    if (verdicts.size >= MAX_REMEMBERED_VERDICTS) verdicts.clear()
    verdicts.set(ip, verdict)
    return verdict
  }

  async function addressesOf(hostname: string, field: string, resolve: Resolver): Promise<readonly string[]> {
    const literal = parseAddress(hostname)
    if (literal) return [hostname]
    if (LOCALHOST.test(hostname)) return ['127.0.0.1', '::1']
    try {
      const found = await raceTimeout(resolve(hostname), resolveTimeoutMs, () => new Error(`no answer within ${resolveTimeoutMs} ms`))
      if (found.length > 0) return found
    } catch (err) {
      throw new UrlRefusedError('unresolvable', `the host "${hostname}" could not be resolved: ${(err as Error).message}`, field)
    }
    throw new UrlRefusedError('unresolvable', `the host "${hostname}" has no address`, field)
  }

  async function allowedAddresses(hostname: string, field = 'url', resolve = defaultResolve): Promise<readonly string[]> {
    const addresses = await addressesOf(hostname, field, resolve)
    // every address must pass: a browser may use any of them, and an attacker controls the order
    for (const ip of addresses) {
      const rule = checkAddress(ip)
      if (!rule) continue
      const hint = o.explainAllowCidrs && ALLOWABLE.has(rule) ? ` (to render it anyway, add it to CRAWLFLEET_ALLOW_CIDRS, e.g. ${allowExample(ip, rule)})` : ''
      throw new UrlRefusedError(rule, `${hostname} is refused: ${RULE_TEXT[rule]}${hint}`, field)
    }
    return addresses
  }

  const resolveHost = async (hostname: string, field = 'url', resolve = defaultResolve) => (await allowedAddresses(hostname, field, resolve))[0]!

  return {
    checkAddress,
    resolveHost,
    allowedAddresses,
    async check(url, field = 'url') {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        throw new InvalidFieldError(field, 'is not a valid absolute URL')
      }
      if (!ALLOWED_SCHEMES.has(parsed.protocol)) {
        throw new UrlRefusedError('scheme', `only http and https URLs are served, not ${parsed.protocol}`, field)
      }
      await resolveHost(parsed.hostname, field)
      return parsed
    },
  }
}

function allowExample(ip: string, rule: RefusalRule): string {
  const v6 = ip.includes(':')
  if (rule === 'loopback') return v6 ? '::1/128' : '127.0.0.0/8'
  return `${ip}/${v6 ? 128 : 32}`
}
