import { CRAWL4AI_CLASSES, WRAPPER_KEY } from './serialization.ts'

// The OpenAPI document shows crawl4ai's wire forms next to the plain ones. zod documents what a
// schema parses to; the schemas mark their crawl4ai wrappers (WRAPPER_KEY) and this rewrites them:
//   class X   → components X (anyOf: XParams, {type: "X", params: XParams}) and XParams (the fields)
//   dict      → anyOf: the object, {type: "dict", value: the object}
//   enum:Name → anyOf: the values, {type: "Name", params: a value}

type Json = Record<string, unknown>

/** Every crawl4ai class becomes a component, including those only reachable through a union. */
export function registerCrawl4aiComponents(registry: { register(name: string, schema: never): unknown }): void {
  for (const [name, schema] of CRAWL4AI_CLASSES) registry.register(name, schema as never)
}

const typed = (type: Json, key: 'params' | 'value', inner: Json): Json => ({
  type: 'object',
  properties: { type: type, [key]: inner },
  required: ['type', key],
  additionalProperties: false,
})

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite)
  if (!node || typeof node !== 'object') return node
  const o = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, rewrite(v)])) as Json
  const mark = o[WRAPPER_KEY]
  if (typeof mark !== 'string') return o
  delete o[WRAPPER_KEY]
  if (mark === 'dict') return { anyOf: [o, typed({ const: 'dict' }, 'value', o)] }
  if (mark.startsWith('enum:')) return { anyOf: [o, typed({ const: mark.slice(5) }, 'params', o)] }
  return o
}

export function describeCrawl4aiWrappers<D extends Json>(doc: D): D {
  const components = (doc.components as Json | undefined)?.schemas as Record<string, Json> | undefined
  if (!components) return doc
  for (const [name, schema] of Object.entries(components)) {
    if (schema[WRAPPER_KEY] !== name) continue
    const { [WRAPPER_KEY]: _mark, description, ...fields } = schema
    components[`${name}Params`] = fields
    components[name] = {
      ...(description ? { description } : {}),
      anyOf: [{ $ref: `#/components/schemas/${name}Params` }, typed({ const: name }, 'params', { $ref: `#/components/schemas/${name}Params` })],
    }
  }
  for (const [name, schema] of Object.entries(components)) components[name] = rewrite(schema) as Json
  if (doc.paths) (doc as Json).paths = rewrite(doc.paths)
  return doc
}
