// What the runner knows about its container: limits (fixed at start, re-read rarely) and samples.

export type LimitSource = 'ecs' | 'cgroup-v2' | 'cgroup-v1' | 'node' | 'os'

export interface Limits {
  /** bytes the container may use; from the first source in DESIGN.md's order that has one */
  readonly memoryLimitBytes: number
  readonly memorySource: LimitSource
  /** cores the container may use (quota / period), or the machine's core count when unlimited */
  readonly cpuCores: number
  readonly cpuSource: LimitSource
}

export interface ResourceSample {
  readonly memory: { readonly usedBytes: number; readonly limitBytes: number; readonly percent: number }
  /** percent of the CPU quota used since the previous sample; null on the first one */
  readonly cpu: { readonly cores: number; readonly percent: number | null }
  readonly atMs: number
}

/** Anything that can tell the current pressure: the real reader, or a test's injected one. */
export interface PressureSource {
  sample(): Promise<ResourceSample>
}

export type PressureLevel = 'LOW' | 'MEDIUM' | 'HIGH'
