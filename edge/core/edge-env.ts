/** Per-request values the edge's middleware hands on (typed `c.var`). */
export interface EdgeEnv {
  Variables: {
    requestId: string
    /** monotonic ms (EdgeClock.now) by which the whole request must be answered */
    deadlineAtMs: number
    /** the request body exactly as received, forwarded byte for byte */
    body: Uint8Array<ArrayBuffer>
    /** a non-reversible id of the API key (runner/contract/caller-id.ts); unset on an open local edge */
    caller?: string
  }
}
