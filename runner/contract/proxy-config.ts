import { z } from '@hono/zod-openapi'
import { c4aParams, WRAPPER_KEY } from './crawl4ai/serialization.ts'

// A caller's own proxy (browser_config.proxy or proxy_config), in every spelling crawl4ai and
// Playwright use: a string ("http://user:pass@host:port", "host:port", crawl4ai's
// "host:port:user:pass"), an object ({server, username, password}), or crawl4ai's typed
// {type: "ProxyConfig", params}. It becomes the upstream of the runner's egress proxy, so it must be
// an HTTP proxy, and a bypass list (a way around the egress proxy) is refused.

/** The caller's proxy, normalised: the runner's egress proxy reaches targets through it. */
export interface ProxySettings {
  /** http://host:port (lower-case host, no path) */
  readonly server: string
  readonly username?: string
  readonly password?: string
}

export const BYPASS_REFUSED =
  'bypass lists are refused: every connection leaves through the runner\'s egress proxy, which applies the URL policy (send the request without "bypass")'

const ProxyObject = z
  .object({
    server: z.string().min(1).max(2048),
    username: z.string().max(512).nullish(),
    password: z.string().max(512).nullish(),
    bypass: z
      .string()
      .max(2048)
      .nullish()
      .refine((b) => !b?.trim(), BYPASS_REFUSED),
    // crawl4ai's ProxyConfig: an address it checks against, no effect here
    ip: z.string().max(64).nullish(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const problem = serverProblem(p.server)
    if (problem) ctx.addIssue({ code: 'custom', path: ['server'], message: problem })
  })

/** browser_config.proxy and browser_config.proxy_config */
export const ProxyInput = z
  .preprocess((input, ctx) => {
    if (typeof input === 'string') {
      const parsed = parseProxyString(input)
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed })
        return z.NEVER
      }
      return parsed
    }
    return c4aParams('ProxyConfig', input, ctx)
  }, ProxyObject)
  .openapi('ProxyConfig', {
    [WRAPPER_KEY]: 'ProxyConfig',
    description:
      'Your own HTTP proxy: "http://user:pass@host:port", "host:port", "host:port:user:pass", {server, username, password}, or crawl4ai\'s {type: "ProxyConfig", params}. The runner\'s egress proxy reaches targets through it; "bypass" is refused.',
  })

export type ProxyInputValue = z.infer<typeof ProxyInput>

/** The normalised settings of a validated proxy input. */
export function proxySettingsOf(input: ProxyInputValue): ProxySettings {
  const url = new URL(withScheme(input.server))
  return {
    server: `${url.protocol}//${url.host}`,
    ...(input.username != null ? { username: input.username } : {}),
    ...(input.password != null ? { password: input.password } : {}),
  }
}

/** crawl4ai's ProxyConfig.from_string forms, and credentials in a URL. An error text when it is none of them. */
export function parseProxyString(text: string): { server: string; username?: string; password?: string } | string {
  const s = text.trim()
  if (s === '' || s.length > 2048) return 'must be a proxy address like "http://host:port"'
  if (!s.includes('://')) {
    const parts = s.split(':')
    if (parts.length === 4) return { server: `http://${parts[0]}:${parts[1]}`, username: parts[2]!, password: parts[3]! }
    return serverProblem(s) ?? { server: s }
  }
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return 'is not a valid proxy URL'
  }
  const server = `${url.protocol}//${url.host}`
  const problem = serverProblem(server + (url.pathname === '/' ? '' : url.pathname) + url.search)
  if (problem) return problem
  if (!url.username && !url.password) return { server }
  return { server, username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
}

function withScheme(server: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`
}

function serverProblem(server: string): string | undefined {
  let url: URL
  try {
    url = new URL(withScheme(server.trim()))
  } catch {
    return 'is not a valid proxy address (like "http://host:port")'
  }
  if (url.protocol !== 'http:') return `only http:// proxies can be used (the runner's egress proxy speaks HTTP to yours), not ${url.protocol}//`
  if (!url.hostname) return 'has no host'
  if (url.username || url.password) return 'carries credentials: send them as username and password'
  if (url.pathname !== '/' || url.search || url.hash) return 'must be a proxy address, without a path or query'
  return undefined
}
