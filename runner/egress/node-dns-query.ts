import { promises as dns } from 'node:dns'
import type { DnsQuery } from './dns-resolver.ts'

export interface NodeDnsOptions {
  /** "ip" or "ip:port" (IPv6 as "[ip]:port"); empty = the system's nameservers (/etc/resolv.conf) */
  readonly servers: readonly string[]
  /** c-ares' per-try timeout */
  readonly timeoutMs: number
  readonly tries: number
}

/**
 * DNS questions through c-ares (`dns.promises.Resolver`), which is asynchronous: unlike `dns.lookup`
 * (getaddrinfo on libuv's 4-thread pool) a name that never answers holds no thread. A channel per
 * question, so one question can be cancelled without the others.
 */
export function nodeDnsQuery(o: NodeDnsOptions): DnsQuery {
  return async (hostname, type, signal) => {
    signal.throwIfAborted()
    const resolver = new dns.Resolver({ timeout: o.timeoutMs, tries: o.tries })
    if (o.servers.length > 0) resolver.setServers([...o.servers])
    const cancel = () => resolver.cancel()
    signal.addEventListener('abort', cancel, { once: true })
    try {
      return type === 'A' ? await resolver.resolve4(hostname, { ttl: true }) : await resolver.resolve6(hostname, { ttl: true })
    } finally {
      signal.removeEventListener('abort', cancel)
    }
  }
}
