import { BrowserCrashedError } from '../contract/errors.ts'
import type { BrowserRecord } from './browser-record.ts'
import type { Lease, Tier } from './types.ts'

export class PoolLease<B> implements Lease<B> {
  readonly tier: Tier
  private released = false
  private readonly gone = new AbortController()

  constructor(
    readonly record: BrowserRecord<B>,
    private readonly onRelease: (lease: PoolLease<B>) => void,
  ) {
    this.tier = record.tier
  }

  get browser(): B {
    return this.record.handle.browser
  }
  get browserId(): string {
    return this.record.id
  }
  get signature(): string {
    return this.record.signature
  }
  get signal(): AbortSignal {
    return this.gone.signal
  }
  get crashed(): boolean {
    return this.gone.signal.reason instanceof BrowserCrashedError
  }

  release(): void {
    if (this.released) return
    this.released = true
    this.onRelease(this)
  }

  /** the browser went away while this lease was out */
  end(reason: Error): void {
    this.gone.abort(reason)
  }
}
