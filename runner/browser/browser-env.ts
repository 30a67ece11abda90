/**
 * The whole environment of a browser process: what Chromium needs to find its fonts, locale and
 * temporary files, and nothing of the runner's own (no HMAC secret, LLM key or AWS credentials URI).
 * CRAWLFLEET_TEST_TAG is a label tests use to find orphaned processes; it is not a secret.
 */
const KEPT = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'FONTCONFIG_FILE', 'FONTCONFIG_PATH', 'CRAWLFLEET_TEST_TAG'])

export function browserEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (KEPT.has(name) || name.startsWith('LC_'))) out[name] = value
  }
  return out
}
