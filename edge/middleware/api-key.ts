import type { MiddlewareHandler } from 'hono'
import { callerIdOf } from '../../runner/contract/caller-id.ts'
import { MissingApiKeyError, WrongApiKeyError } from '../../runner/contract/errors.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { ApiKeySet } from './api-key-set.ts'

export interface ApiKeyAuth {
  /** true only for a local edge started without keys (it then listens on loopback only) */
  readonly open: boolean
  /** the accepted keys; a promise in the cloud, where they come from Secrets Manager */
  keys(): ApiKeySet | Promise<ApiKeySet>
}

/** 401 without a bearer key, 403 with one that is not accepted; an accepted key becomes the request's caller id. */
export function requireApiKey(auth: ApiKeyAuth): MiddlewareHandler<EdgeEnv> {
  return async function requireApiKey(c, next) {
    if (!auth.open) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')
      if (!match) throw new MissingApiKeyError()
      if (!(await auth.keys()).matches(match[1])) throw new WrongApiKeyError()
      c.set('caller', callerIdOf(match[1]))
    }
    await next()
  }
}
