/** `--name=value` arguments of `npm run bench -- <scenario> --name=value …`. */
export type Args = Readonly<Record<string, string>>

export function parseArgs(argv: readonly string[]): { scenario: string | undefined; args: Args } {
  const args: Record<string, string> = {}
  let scenario: string | undefined
  for (const a of argv) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a)
    if (m) args[m[1]!] = m[2] ?? 'true'
    else if (scenario === undefined) scenario = a
    else throw new Error(`unexpected argument "${a}"`)
  }
  return { scenario, args }
}

/** Reads the known parameters with their defaults and refuses any other, so a typo is not silently ignored. */
export function readParams<T extends Record<string, number | boolean | string>>(args: Args, defaults: T): T {
  const out: Record<string, number | boolean | string> = { ...defaults }
  for (const [key, raw] of Object.entries(args)) {
    if (!(key in defaults)) throw new Error(`unknown parameter --${key}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(', ')}`)
    if (typeof defaults[key] === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new Error(`--${key} must be true or false, got "${raw}"`)
      out[key] = raw === 'true'
    } else if (typeof defaults[key] === 'string') {
      out[key] = raw
    } else {
      const n = Number(raw)
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a number ≥ 0, got "${raw}"`)
      out[key] = n
    }
  }
  return out as T
}
