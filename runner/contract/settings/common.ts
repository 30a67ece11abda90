import { CidrList } from '../url-policy/address-class.ts'
import { optional, parse, setting } from './define.ts'

// Settings the runner and the edge both read, with the same meaning.

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const logLevel = setting({
  env: 'CRAWLFLEET_LOG_LEVEL',
  fallback: 'info' as (typeof LOG_LEVELS)[number],
  doc: 'pino level: fatal, error, warn, info, debug, trace or silent',
  parse: parse.oneOf(...LOG_LEVELS),
})

export const allowCidrs = setting({
  env: 'CRAWLFLEET_ALLOW_CIDRS',
  fallback: [] as readonly string[],
  doc: 'comma-separated CIDRs the URL policy lets through although private, e.g. `127.0.0.0/8` for a local site',
  parse: (text) => {
    const list = parse.list(text)
    try {
      new CidrList(list)
    } catch (err) {
      throw new Error(`comma-separated CIDRs: ${(err as Error).message}`)
    }
    return list
  },
})

export const hmacSecret = optional({
  env: 'CRAWLFLEET_HMAC_SECRET',
  doc: 'the edge → runner signing keys, comma-separated: the edge signs with the first, runners accept any (rotation: infra/README.md); when set, a runner serves only signed requests (`/health`, `/ready` stay open)',
  parse: parse.text,
})

export const loadStoreUrl = optional({
  env: 'CRAWLFLEET_LOAD_STORE_URL',
  doc: 'Redis or Valkey (`redis://host:port`, `rediss://` for TLS) where runners publish their load and edges pick the least loaded runner for default-signature requests (runner/contract/load-store.ts); the stack sets its ElastiCache. Unset: edges probe or remember loads',
  parse: (text) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new Error('a redis:// or rediss:// URL')
    }
    if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) throw new Error('a redis:// or rediss:// URL')
    return text
  },
})
