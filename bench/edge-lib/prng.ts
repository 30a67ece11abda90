/** A small seeded PRNG (mulberry32), so a simulation replays the same stream for every policy it compares. */
export class Rng {
  private s: number

  constructor(seed: number) {
    this.s = seed >>> 0
  }

  /** uniform in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next())
  }

  normal(): number {
    // Box–Muller; 1 − u keeps the logarithm finite
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next())
  }

  /** log-normal with this mean and log-space standard deviation sigma */
  logNormal(mean: number, sigma: number): number {
    return mean * Math.exp(sigma * this.normal() - (sigma * sigma) / 2)
  }

  hex(chars: number): string {
    let s = ''
    while (s.length < chars) s += this.int(0x10000).toString(16).padStart(4, '0')
    return s.slice(0, chars)
  }
}
