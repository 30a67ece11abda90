// Hot and cold launches take turns: a Chromium launch is ~0.5 s of a core, and the permanent
// browser's pages need the rest of the CPU, so only `limit()` of them run at once (the plan's
// concurrentLaunches, read at each take: the plan can change). First come, first served.

export class LaunchTurns {
  private taken = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: () => number) {}

  /** runs `launch` once it is its turn; the turn passes on however it ends */
  async inTurn<T>(launch: () => Promise<T>): Promise<T> {
    await this.take()
    try {
      return await launch()
    } finally {
      this.end()
    }
  }

  private async take(): Promise<void> {
    if (this.taken < this.limit()) {
      this.taken++
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve)) // the turn is handed over by end()
  }

  private end(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.taken--
  }
}
