/**
 * What the edge knows about each runner's load: the last `x-crawlfleet-load` it reported
 * ((running + queued) / page slots), fading with age so a runner that once looked busy is not
 * avoided forever, plus the requests this edge has in flight to it and not yet answered.
 */
export class RunnerLoad {
  private readonly reported = new Map<string, { load: number; atMs: number }>()
  private readonly inflight = new Map<string, number>()

  constructor(private readonly halfLifeMs = 2_000) {}

  report(runnerId: string, header: string | null, nowMs: number): void {
    const load = Number(header)
    if (header !== null && header !== '' && Number.isFinite(load) && load >= 0) this.reported.set(runnerId, { load, atMs: nowMs })
  }

  begin(runnerId: string): void {
    this.inflight.set(runnerId, (this.inflight.get(runnerId) ?? 0) + 1)
  }

  end(runnerId: string): void {
    const n = (this.inflight.get(runnerId) ?? 0) - 1
    if (n > 0) this.inflight.set(runnerId, n)
    else this.inflight.delete(runnerId)
  }

  inflightTo(runnerId: string): number {
    return this.inflight.get(runnerId) ?? 0
  }

  loadOf(runnerId: string, nowMs: number): number {
    const r = this.reported.get(runnerId)
    const fresh = r ? r.load * 0.5 ** (Math.max(0, nowMs - r.atMs) / this.halfLifeMs) : 0
    return fresh + this.inflightTo(runnerId)
  }
}
