/**
 * Record ids of a generated entity, computable from the record index alone (random access), so
 * associations can point at any record without holding ids in memory. Ids grow with the index
 * and vary in length: 1-7 digits, then 10 digits, then 16 digits (above 2^53), and the last
 * record gets a 19-digit id. Each index owns a slot of K ids; the record takes one, and the
 * others are free for merged-away ("loser") ids that never appear anywhere else.
 */
import {hash32} from '../prng.js'

const SMALL_K = 4
const MID_K = 16
const BIG_K = 1009n
const TWO_53_PLUS_1 = 9_007_199_254_740_993n
const NINETEEN_DIGITS = 1_000_000_000_000_000_000n

export class IdLayout {
  private readonly bigStart: number
  private readonly midStart: number
  private readonly lastHuge: boolean
  private readonly smallBase: number
  private readonly midBase: number
  private readonly bigBase: bigint

  constructor(
    readonly count: number,
    private readonly seed: number,
    private readonly salt: number,
  ) {
    const big = count >= 4 ? Math.max(2, Math.floor(count / 1000)) : 0
    this.bigStart = count - big
    this.midStart = Math.floor(this.bigStart * 0.6)
    this.lastHuge = count >= 4
    this.smallBase = 1 + salt * 10
    this.midBase = (3 + salt) * 1_000_000_000
    this.bigBase = TWO_53_PLUS_1 + BigInt(salt) * 10_000_000_000_000n
  }

  private offset(i: number, k: number): number {
    return hash32(this.seed, this.salt, i, 0x1d) % k
  }

  /** Slot width of record i. */
  private width(i: number): number {
    if (this.lastHuge && i === this.count - 1) return SMALL_K
    if (i >= this.bigStart) return Number(BIG_K)
    return i >= this.midStart ? MID_K : SMALL_K
  }

  /** The id at offset `off` of record i's slot. */
  private at(i: number, off: number): string {
    if (this.lastHuge && i === this.count - 1) return (NINETEEN_DIGITS + BigInt(this.salt) * 1_000_000_000_000_000n + BigInt(off)).toString()
    if (i >= this.bigStart) return (this.bigBase + BigInt(i - this.bigStart) * BIG_K + BigInt(off)).toString()
    if (i >= this.midStart) return String(this.midBase + (i - this.midStart) * MID_K + off)
    return String(this.smallBase + i * SMALL_K + off)
  }

  /** The id of record `i`. */
  id(i: number): string {
    return this.at(i, this.offset(i, this.width(i)))
  }

  /** `n` (≤ 3) ids inside record i's slot that no record uses: merged-away contacts. Ascending. */
  freeIds(i: number, n: number): string[] {
    const k = this.width(i)
    const own = this.offset(i, k)
    const out: number[] = []
    for (let d = 1; out.length < n && d < k; d++) out.push((own + d) % k)
    return out.sort((a, b) => a - b).map((off) => this.at(i, off))
  }
}
