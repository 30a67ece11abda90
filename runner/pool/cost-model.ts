// What one browser costs in memory, measured on this machine rather than assumed: the capacity
// plan and the memory gate use the estimate, and it starts at the default until measured.

export class BrowserCostModel {
  private readonly samplesBytes: number[] = []

  constructor(
    private readonly defaultBytes: number,
    /** recent measurements kept; Chromium builds and flags differ, so old ones age out */
    private readonly window = 20,
  ) {
    if (!(defaultBytes > 0)) throw new Error(`defaultBytes must be > 0, got ${defaultBytes}`)
    if (!(window >= 1)) throw new Error(`window must be >= 1, got ${window}`)
  }

  record(bytes: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) return // a browser that died before measuring
    this.samplesBytes.push(bytes)
    if (this.samplesBytes.length > this.window) this.samplesBytes.shift()
  }

  /** the mean of recent measurements, or the default before the first one */
  estimateBytes(): number {
    if (this.samplesBytes.length === 0) return this.defaultBytes
    return Math.round(this.samplesBytes.reduce((a, b) => a + b, 0) / this.samplesBytes.length)
  }

  get measurements(): number {
    return this.samplesBytes.length
  }
}
