import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'

// Secrets are read once per Lambda cold start: a success is kept for the instance's life; a
// failure is not, so the next request tries again instead of failing until the instance dies.

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

export async function readSecret(client: Pick<SecretsManagerClient, 'send'>, secretId: string): Promise<string> {
  const { GetSecretValueCommand } = await import('./aws/secrets-manager.ts')
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }))
  if (out.SecretString !== undefined) return out.SecretString
  if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString('utf8')
  throw new Error(`secret ${secretId} has no value`)
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

/** The HMAC key: the secret's text, or the `hmac_secret` (or `secret`) field of a JSON object. */
export function parseHmacSecret(text: string): string {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    const o = JSON.parse(trimmed) as Record<string, unknown>
    const v = o.hmac_secret ?? o.secret
    if (typeof v !== 'string' || !v) throw new Error('the HMAC secret JSON needs a non-empty "hmac_secret" string')
    return v
  }
  if (!trimmed) throw new Error('the HMAC secret is empty')
  return trimmed
}
