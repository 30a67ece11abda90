// What a request body must be, at the edge and at the runner alike.

/** The request body limit of both edge and runner: the edge stops larger bodies before any runner is asked. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

/** `application/json`, with or without parameters; not `application/json-seq` or other types that merely start so. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return /^application\/json\s*(;|$)/i.test(contentType ?? '')
}
