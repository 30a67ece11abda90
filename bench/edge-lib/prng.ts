import { prng } from '../lib/zipf.ts'

/** A small seeded PRNG (mulberry32), so a simulation replays the same stream for every policy it compares. */
export class Rng {
  /** uniform in [0, 1) */
  readonly next: () => number

  constructor(seed: number) {
    this.next = prng(seed)
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
