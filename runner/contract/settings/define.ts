// Settings declared once, as data: the environment variable, its default, how its text is parsed and
// checked, and one line for the README. The runner and the edge read their environment through these
// tables (runner/config.ts, edge/config.ts), the README's configuration tables are generated from them
// (scripts/readme-tables.ts), and the CDK stack checks and passes runner settings with the same parsers.

export type Env = Readonly<Record<string, string | undefined>>

export interface Setting<T> {
  /** the environment variable */
  readonly env: string
  /** used when the variable is unset or blank; undefined means "unset" */
  readonly fallback: T
  /** how the default reads in the README when it is not a literal (computed, or set by another tool) */
  readonly defaultText?: string
  /** one line for the README's configuration table */
  readonly doc: string
  /** the value of a non-blank text, or a thrown Error saying what was expected (without the name) */
  parse(text: string): T
}

type ValueOf<S> = S extends Setting<infer T> ? T : never
export type SettingsTable = Readonly<Record<string, Setting<unknown>>>
export type SettingsOf<T extends SettingsTable> = { readonly [K in keyof T]: ValueOf<T[K]> }

export class SettingError extends Error {
  constructor(
    readonly env: string,
    expected: string,
    readonly given: string,
  ) {
    super(`${env} must be ${expected}, got "${given}"`)
    this.name = 'SettingError'
  }
}

/** Reads every setting of `table` from `env`; the first bad value throws a SettingError naming its variable. */
export function readSettings<T extends SettingsTable>(table: T, env: Env): SettingsOf<T> {
  const out: Record<string, unknown> = {}
  for (const [key, s] of Object.entries(table)) out[key] = readOne(s, env)
  return out as SettingsOf<T>
}

export function readOne<T>(s: Setting<T>, env: Env): T {
  const text = env[s.env]?.trim()
  if (!text) return s.fallback
  try {
    return s.parse(text)
  } catch (err) {
    throw new SettingError(s.env, (err as Error).message, text)
  }
}

/** The default as the README shows it. */
export function defaultTextOf(s: Setting<unknown>): string {
  if (s.defaultText !== undefined) return s.defaultText
  if (s.fallback === undefined) return 'unset'
  if (Array.isArray(s.fallback)) return s.fallback.length === 0 ? 'empty' : s.fallback.join(',')
  return String(s.fallback)
}

// ---- parsers: each returns the value or throws an Error whose message is what was expected ----

interface Bounds {
  readonly min?: number
  readonly max?: number
}

const range = (o: Bounds) => `${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.min !== undefined && o.max !== undefined ? ' and' : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}`
const inRange = (n: number, o: Bounds) => (o.min === undefined || n >= o.min) && (o.max === undefined || n <= o.max)

export const parse = {
  int:
    (o: Bounds = {}) =>
    (text: string): number => {
      const n = Number(text)
      if (!Number.isInteger(n) || !inRange(n, o)) throw new Error(`an integer${range(o)}`)
      return n
    },
  number:
    (o: Bounds = {}) =>
    (text: string): number => {
      const n = Number(text)
      if (!Number.isFinite(n) || !inRange(n, o)) throw new Error(`a number${range(o)}`)
      return n
    },
  text: (text: string): string => text,
  /** comma-separated, blanks dropped */
  list: (text: string): string[] =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  oneOf:
    <const T extends string>(...choices: readonly T[]) =>
    (text: string): T => {
      if (!(choices as readonly string[]).includes(text)) throw new Error(`one of ${choices.join(', ')}`)
      return text as T
    },
  /** three positive numbers for the LOW, MEDIUM and HIGH memory-pressure levels, e.g. "300,60,30" */
  perLevel: (text: string): readonly [number, number, number] => {
    const nums = parse.list(text).map(Number)
    if (nums.length !== 3 || nums.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error('three positive numbers for LOW,MEDIUM,HIGH pressure')
    return nums as unknown as readonly [number, number, number]
  },
  /** a Standard Webhooks secret: `whsec_` (optional) + base64 of 24 to 64 bytes; the value is the decoded key */
  webhookSecret: (text: string): Buffer => {
    const b64 = text.startsWith('whsec_') ? text.slice('whsec_'.length) : text
    const key = Buffer.from(b64, 'base64')
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || key.length < 24 || key.length > 64) throw new Error('"whsec_" followed by base64 of 24 to 64 random bytes')
    return key
  },
  httpUrl: (text: string): string => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw new Error('an http(s) URL')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('an http(s) URL')
    return text
  },
} as const

/** A setting; `fallback` undefined (and the type `T | undefined`) for settings that may stay unset. */
export function setting<T>(s: Setting<T>): Setting<T> {
  return s
}

/** A setting that may stay unset (its value is undefined then). */
export function optional<T>(s: Omit<Setting<T | undefined>, 'fallback'> & { readonly parse: (text: string) => T }): Setting<T | undefined> {
  return { ...s, fallback: undefined }
}
