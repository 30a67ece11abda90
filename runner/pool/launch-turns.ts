// Hot and cold launches take turns: only `limit()` of them run at once (the plan's
// concurrentLaunches, read at each take: the plan can change), first come, first served, so each
// one's memory gate sees what the launches before it use and a flood of variants neither
// overshoots memory nor takes the permanent browser's CPU.

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
