import { Ajv, type ErrorObject } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { InvalidFieldError } from '../contract/errors.ts'

/** null when `data` fits, else every mismatch named by its path */
export type SchemaCheck = (data: unknown) => string | null

// Caller schemas are untrusted and unknown in advance: unknown keywords are tolerated, formats are not
// checked (ajv-formats is not installed) and nothing is logged.
const options = { allErrors: true, strict: false, validateFormats: false, logger: false } as const
let draft7: Ajv | undefined
let draft2019: Ajv2019 | undefined
let draft2020: Ajv2020 | undefined

function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2019 | Ajv2020 {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  if (dialect.includes('2020-12')) return (draft2020 ??= new Ajv2020(options))
  if (dialect.includes('2019-09')) return (draft2019 ??= new Ajv2019(options))
  return (draft7 ??= new Ajv(options))
}

function pathOf(e: ErrorObject): string {
  const base = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const p = e.params as { missingProperty?: string; additionalProperty?: string }
  const leaf = e.keyword === 'required' ? p.missingProperty : e.keyword === 'additionalProperties' ? p.additionalProperty : undefined
  const parts = leaf === undefined ? base : [...base, leaf]
  return parts.length ? parts.join('.') : '(root)'
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'required') return `${pathOf(e)}: is required`
  if (e.keyword === 'additionalProperties') return `${pathOf(e)}: is not allowed`
  return `${pathOf(e)}: ${e.message ?? e.keyword}`
}

export function compileSchema(schema: Record<string, unknown>): SchemaCheck {
  const ajv = ajvFor(schema)
  let validate
  try {
    validate = ajv.compile(schema)
  } catch (err) {
    throw new InvalidFieldError('schema', `is not a valid JSON schema: ${(err as Error).message}`)
  } finally {
    // compiled schemas are cached per object and $id: without this, every request's schema stays
    // in memory and a second request with the same $id fails to compile
    ajv.removeSchema(schema)
  }
  return (data) => {
    if (validate(data)) return null
    const errors = validate.errors ?? []
    const shown = errors.slice(0, 5).map(describe)
    if (errors.length > shown.length) shown.push(`and ${errors.length - shown.length} more`)
    return shown.join('; ')
  }
}
