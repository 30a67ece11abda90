/** `--name=value` flags for the edge benchmarks, checked against their defaults so a typo is refused, not ignored. */
export function readFlags<T extends Record<string, number | boolean | string>>(argv: readonly string[], defaults: T): T {
  const out: Record<string, number | boolean | string> = { ...defaults }
  for (const a of argv) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a)
    if (!m) throw new Error(`unexpected argument "${a}"; use --name=value`)
    const [, key, raw = 'true'] = m
    if (!(key in defaults)) throw new Error(`unknown flag --${key}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(', ')}`)
    const d = defaults[key]
    if (typeof d === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`--${key} must be true or false, got "${raw}"`)
      out[key] = raw === 'true'
    } else if (typeof d === 'number') {
      const n = Number(raw)
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a number ≥ 0, got "${raw}"`)
      out[key] = n
    } else {
      out[key] = raw
    }
  }
  return out as T
}

/** Progress lines go to stderr: stdout carries only the JSON report. */
export function progress(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
}
