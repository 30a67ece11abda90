import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { hmacKeys } from '../runner/contract/request-hmac.ts'

// Secrets are read on first use and again once they are older than a TTL, so a rotated value
// reaches every Lambda instance within the TTL without a redeploy. A failed first read is not
// kept (the next request tries again); a failed refresh keeps serving the value it had.

export interface CachedOptions {
  /** how long a value is used before it is read again */
  readonly ttlMs: number
  /** monotonic ms */
  readonly now: () => number
  /** after a failed refresh, the old value is served this long before the next try. @default min(ttlMs, 30 s) */
  readonly retryMs?: number
  readonly onRefreshError?: (err: unknown) => void
}

export function cached<T>(load: () => Promise<T>, o: CachedOptions): () => Promise<T> {
  const retryMs = o.retryMs ?? Math.min(o.ttlMs, 30_000)
  let value: { v: T; freshUntil: number } | undefined
  let loading: Promise<T> | undefined
  const refresh = (): Promise<T> =>
    (loading ??= load()
      .then(
        (v) => {
          value = { v, freshUntil: o.now() + o.ttlMs }
          return v
        },
        (err: unknown) => {
          if (!value) throw err
          o.onRefreshError?.(err)
          value = { v: value.v, freshUntil: o.now() + retryMs }
          return value.v
        },
      )
      .finally(() => (loading = undefined)))
  return async () => (value && o.now() < value.freshUntil ? value.v : refresh())
}

/** once: the first read succeeds and is kept; a failed one is not (the next call tries again) */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined
  return () => {
    value ??= load().catch((err: unknown) => {
      value = undefined
      throw err
    })
    return value
  }
}

export async function readSecret(client: Pick<SecretsManagerClient, 'send'>, secretId: string, versionStage?: string): Promise<string> {
  // the command comes with the client, from a dynamic import: a cold start loads neither until a secret is read
  const { GetSecretValueCommand } = await import('./aws/secrets-manager.ts')
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }))
  if (out.SecretString !== undefined) return out.SecretString
  if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString('utf8')
  throw new Error(`secret ${secretId} has no value`)
}

/**
 * The origin header values the edge accepts: the secret's AWSCURRENT value and, while there is
 * one, its AWSPREVIOUS value. CloudFront sends the value it resolved at its last deploy; during
 * a rotation that is the previous one until the distribution is updated (infra/README.md).
 */
export async function readOriginSecrets(client: Pick<SecretsManagerClient, 'send'>, secretId: string): Promise<string[]> {
  const [current, previous] = await Promise.all([
    readSecret(client, secretId, 'AWSCURRENT'),
    readSecret(client, secretId, 'AWSPREVIOUS').catch((err: unknown) => {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined
      throw err
    }),
  ])
  return [current, previous].map((v) => v?.trim()).filter((v): v is string => Boolean(v))
}

/**
 * API keys (or their SHA-256 hex digests) from a secret: a JSON array, a JSON object with an
 * `api_keys` (or `keys`) array or comma-separated string, or plain text separated by commas or
 * new lines.
 */
export function parseApiKeysSecret(text: string): string[] {
  const trimmed = text.trim()
  let value: unknown = trimmed
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) value = JSON.parse(trimmed)
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>
    value = o.api_keys ?? o.keys
  }
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\n]/) : undefined
  if (!items || items.some((k) => typeof k !== 'string')) throw new Error('the API keys secret must be a list of strings')
  return (items as string[]).map((k) => k.trim()).filter(Boolean)
}

/**
 * The HMAC keys, first one signing: the secret's text (comma- or newline-separated), a JSON
 * array, or the `hmac_secret` (or `secret`) field of a JSON object, a string or an array.
 */
export function parseHmacSecret(text: string): string[] {
  const trimmed = text.trim()
  let value: unknown = trimmed
  if (trimmed.startsWith('[')) value = JSON.parse(trimmed)
  else if (trimmed.startsWith('{')) {
    const o = JSON.parse(trimmed) as Record<string, unknown>
    value = o.hmac_secret ?? o.secret
    if (value === undefined) throw new Error('the HMAC secret JSON needs a non-empty "hmac_secret" string or list')
  }
  if (!(typeof value === 'string' || (Array.isArray(value) && value.every((k) => typeof k === 'string')))) {
    throw new Error('the HMAC secret must be a string or a list of strings')
  }
  const keys = hmacKeys(value as string | string[])
  if (keys.length === 0) throw new Error('the HMAC secret is empty')
  return keys
}
