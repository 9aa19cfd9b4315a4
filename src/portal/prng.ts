/**
 * Small, fast, seedable pseudo-random numbers for the synthetic portal generator. Everything is
 * derived from integer hashes, so any record can be regenerated from (seed, entity, index)
 * alone: no state has to be carried across records, and output is identical on every platform.
 */

/** 32-bit finalizer of MurmurHash3: a strong, cheap integer mixer. */
function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Mixes one non-negative safe integer into a running hash. */
function mix(h: number, p: number): number {
  h = fmix32(h ^ (p >>> 0)) + 0x6d2b79f5
  return fmix32(h ^ (Math.floor(p / 0x100000000) >>> 0)) + 0x68e31da4
}

/** Hashes up to four non-negative safe integers into an unsigned 32-bit value. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  return fmix32(mix(mix(mix(mix(0x9e3779b9, a), b), c), d))
}

/** A uniform number in [0, 1) from a hash of the arguments. */
export function unit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 0x100000000
}

/** mulberry32: a tiny PRNG with 32 bits of state; seed it with hash32(...). */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }

  /** Next uniform number in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** Integer in [min, max]. */
  range(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }
}

/** A mulberry32 stream as a plain function, for callers that only need uniform numbers in [0, 1). */
export function prng(seed: number): () => number {
  const r = new Rng(seed)
  return () => r.next()
}
