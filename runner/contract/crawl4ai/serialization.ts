import { z } from '@hono/zod-openapi'

// crawl4ai's wire format (its to_serializable_dict / from_serializable_dict), decoded inside the
// zod schemas so the edge and the runner read a body the same way:
//   - a config or strategy object: {"type": "CrawlerRunConfig", "params": {...}} or a plain object
//   - an enum: {"type": "CacheMode", "params": "bypass"} or the bare value
//   - a dict: {"type": "dict", "value": {...}} (its Python client wraps every dict, at any depth)
//   - null: "unset", for every optional field of a config object
// Field names in errors leave the wrappers out: a bad css_selector is `crawler_config.css_selector`
// whether the client sent {type, params} or a plain object (docs/crawl4ai-compat.md).

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)

/** `table[key]` only for the table's own keys: a body's "valueOf" or "constructor" must not find Object's */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** {"type": "dict", "value": {...}} with nothing else in it */
export function isDictWrapper(v: unknown): v is { type: 'dict'; value: Json } {
  return isObject(v) && v.type === 'dict' && isObject(v.value) && Object.keys(v).length === 2
}

/** Free-form data (a JSON schema, an extraction schema, headers): dict wrappers unwrapped at any depth. */
export function decodeData(v: unknown): unknown {
  if (isDictWrapper(v)) return decodeData(v.value)
  if (Array.isArray(v)) return v.map(decodeData)
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeData(x)]))
  return v
}

/** The keys whose value is null are left out: crawl4ai's clients send None as null. */
export function dropNulls(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null))
}

/** What a field refused on purpose answers; the message says why. */
export type Refusals = Readonly<Record<string, string | ((value: unknown) => string | undefined)>>

/** Every crawl4ai class decoded here by name, for the OpenAPI document (see openapi.ts). */
export const CRAWL4AI_CLASSES = new Map<string, z.ZodType>()
/** marks a schema in the OpenAPI document as a crawl4ai wrapper: a class name, `dict` or `enum:<Name>` */
export const WRAPPER_KEY = 'x-crawl4ai-type'
/** the typed form of a class, for fields that take only that (its params are the `<name>Params` component) */
const typedRef = (name: string) => ({
  type: 'object',
  properties: { type: { const: name }, params: { $ref: `#/components/schemas/${name}Params` } },
  required: ['type', 'params'],
})

function refuse(params: Json, refusals: Refusals | undefined, ctx: z.RefinementCtx): void {
  if (!refusals) return
  for (const [key, value] of Object.entries(params)) {
    const rule = own(refusals, key)
    if (rule === undefined) continue
    const message = typeof rule === 'string' ? rule : rule(value)
    if (message) ctx.addIssue({ code: 'custom', path: [key], message })
  }
}

/**
 * The params of a crawl4ai class: `{type: name, params}`, a dict wrapper, or a plain object.
 * `refusals` name fields crawlfleet refuses on purpose, with the reason.
 */
export function c4aParams(name: string, input: unknown, ctx: z.RefinementCtx, refusals?: Refusals): unknown {
  let v = isDictWrapper(input) ? input.value : input
  if (isObject(v) && 'type' in v) {
    const extra = Object.keys(v).filter((k) => k !== 'type' && k !== 'params')
    if (v.type !== name || extra.length > 0 || !('params' in v)) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `must be "${name}" with a params object` })
      return z.NEVER
    }
    v = v.params ?? {}
    if (isDictWrapper(v)) v = v.value
  }
  if (!isObject(v)) return v
  const params = dropNulls(v)
  refuse(params, refusals, ctx)
  return params
}

/** A crawl4ai config or strategy class whose params are `shape` (strict: unknown fields are a 400). */
export function c4aClass<S extends z.ZodRawShape>(name: string, shape: S, o: { refusals?: Refusals; description?: string } = {}) {
  const schema = z
    .preprocess((input, ctx) => c4aParams(name, input, ctx, o.refusals), z.object(shape).strict())
    .openapi(name, { description: o.description, [WRAPPER_KEY]: name } as never)
  CRAWL4AI_CLASSES.set(name, schema)
  return schema
}

/** One of several crawl4ai classes, told apart by `type` (a typed wrapper is required here). */
export function c4aOneOf(field: string, classes: Readonly<Record<string, z.ZodType>>, o: { plain?: string } = {}) {
  const names = Object.keys(classes)
  const documented = { anyOf: names.map(typedRef), description: `one of ${names.join(', ')}, as {"type": "<name>", "params": {...}}` }
  return z.unknown().openapi(documented as never).transform((input, ctx): { type: string; params: unknown } => {
    const v = isDictWrapper(input) ? input.value : input
    const type = isObject(v) ? v.type : undefined
    const name = typeof type === 'string' && Object.hasOwn(classes, type) ? type : o.plain !== undefined && isObject(v) && !('type' in v) ? o.plain : undefined
    if (name === undefined) {
      const got = typeof type === 'string' ? `"${type}" is not served` : 'a typed object {"type", "params"} is required'
      ctx.addIssue({ code: 'custom', path: ['type'], message: `${got}; ${field} is one of ${names.join(', ')}` })
      return z.NEVER
    }
    const parsed = classes[name]!.safeParse(v)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never)
      return z.NEVER
    }
    return { type: name, params: parsed.data }
  })
}

/** A crawl4ai enum: `{"type": name, "params": value}` or the bare value, case-insensitive. */
export function c4aEnum<const V extends readonly [string, ...string[]]>(name: string, values: V) {
  const lower = new Map(values.map((v) => [v.toLowerCase(), v]))
  return z
    .preprocess((input) => {
      let v = input
      if (isObject(v) && v.type === name && 'params' in v) v = v.params
      return typeof v === 'string' ? (lower.get(v.toLowerCase()) ?? v) : v
    }, z.enum(values))
    .openapi({ [WRAPPER_KEY]: `enum:${name}` } as never)
}

/** A crawl4ai dict field: `{"type": "dict", "value": {...}}` or a plain object; data inside is decoded too. */
export function c4aDict<T extends z.ZodType>(schema: T) {
  return z.preprocess((input) => decodeData(input), schema).openapi({ [WRAPPER_KEY]: 'dict' } as never)
}

/** A list field; crawl4ai serialises tuples and sets as lists too. Data inside is decoded. */
export function c4aList<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess((input) => decodeData(input), z.array(item).max(max))
}

/** Free-form JSON data (schemas), with dict wrappers unwrapped at any depth. */
export const c4aData = z.preprocess((input) => decodeData(input), z.unknown())
