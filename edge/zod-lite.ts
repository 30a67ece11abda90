// The edge's validation without zod's full namespace or the OpenAPI machinery, from the same schema
// files: the Lambda bundle aliases @hono/zod-openapi to this file (infra/lib/edge-function.ts). runner/contract/*.ts import `z` from @hono/zod-openapi,
// which re-exports zod's namespace object; an escaping namespace keeps every export, including
// zod's 250 KB of locales, in the bundle. Aliasing @hono/zod-openapi to this file in the edge's
// bundle (esbuild --alias:@hono/zod-openapi=<this file>) gives the schemas a plain object of the
// constructors they call, so esbuild keeps only those; `.openapi()` becomes a no-op (the edge
// never serves the document: it forwards /openapi.json to a runner). Validation is zod's own, so
// it behaves as in every other process. `npm run bench -- edge-cold-start` measures what it saves;
// tests/unit/edge/zod-lite.test.ts checks that every z.<name> the contract calls is here, and
// tests/infra/edge-bundle.test.ts sends requests through the bundled handler.
import {
  any,
  array,
  boolean,
  custom,
  discriminatedUnion,
  enum as enum_,
  int,
  lazy,
  literal,
  looseObject,
  never,
  NEVER,
  null as null_,
  nullable,
  number,
  object,
  optional,
  preprocess,
  record,
  strictObject,
  string,
  tuple,
  undefined as undefined_,
  union,
  unknown,
  url,
  ZodError,
  ZodType,
} from 'zod'

;(ZodType.prototype as unknown as { openapi(): unknown }).openapi = function openapi(this: unknown) {
  return this
}

export const z = {
  any,
  array,
  boolean,
  custom,
  discriminatedUnion,
  enum: enum_,
  int,
  lazy,
  literal,
  looseObject,
  never,
  NEVER,
  null: null_,
  nullable,
  number,
  object,
  optional,
  preprocess,
  record,
  strictObject,
  string,
  tuple,
  undefined: undefined_,
  union,
  unknown,
  url,
  ZodError,
  ZodType,
}
