/** Bounded counters for diagnosis: per pattern a count and one example, never every difference. */
import type {Attribution, Diagnosis, SampleDifference, Suggestion} from '../../reports/report-types.js'

/** At most this many distinct (pattern, parameter) buckets per field, relation or entity. */
export const MAX_BUCKETS = 32

interface Bucket {
  pattern: string
  param: string
  count: number
  example: SampleDifference | null
  attribution: Partial<Record<Attribution, number>>
}

/** Counts of (pattern, parameter) with one example each; past MAX_BUCKETS new buckets are counted as `overflow`. */
export class PatternCounts {
  private readonly buckets = new Map<string, Bucket>()
  overflow = 0

  add(pattern: string, param: string, example: () => SampleDifference | null, attribution?: Attribution, by = 1): void {
    const k = `${pattern}\u0000${param}`
    let b = this.buckets.get(k)
    if (!b && this.buckets.size < MAX_BUCKETS) this.buckets.set(k, (b = {pattern, param, count: 0, example: example(), attribution: {}}))
    if (!b) {
      this.overflow += by
      return
    }
    b.count += by
    if (attribution) b.attribution[attribution] = (b.attribution[attribution] ?? 0) + by
  }

  /** Buckets largest first (ties by pattern, then parameter). */
  list(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : a.param < b.param ? -1 : 1))
  }
}

/** A consistent value-to-value map (enum-remap): tracks at most MAX_BUCKETS distinct pairs. */
export class PairMap {
  private readonly pairs = new Map<string, {from: string | null; to: string | null; count: number}>()
  overflow = false
  total = 0
  example: SampleDifference | null = null
  readonly attribution: Partial<Record<Attribution, number>> = {}

  add(newValue: string | null, legacyValue: string | null, example: () => SampleDifference, attribution: Attribution): void {
    this.total++
    this.attribution[attribution] = (this.attribution[attribution] ?? 0) + 1
    if (this.overflow) return
    const k = JSON.stringify([newValue, legacyValue])
    const p = this.pairs.get(k)
    if (p) p.count++
    else if (this.pairs.size < MAX_BUCKETS) this.pairs.set(k, {from: newValue, to: legacyValue, count: 1})
    else this.overflow = true
    this.example ??= example()
  }

  /** The map when every new value maps to one legacy value and at least one pair repeats; else undefined. */
  consistent(): Array<{from: string | null; to: string | null; count: number}> | undefined {
    if (this.overflow || this.total < 2) return undefined
    const list = [...this.pairs.values()]
    const froms = new Set(list.map((p) => JSON.stringify(p.from)))
    if (froms.size !== list.length || list.length === this.total) return undefined
    return list.sort((a, b) => b.count - a.count)
  }
}

/** Build a Diagnosis entry. */
export function diagnosis(pattern: string, count: number, detail: string, example: SampleDifference | null, suggestion?: Suggestion, attribution?: Partial<Record<Attribution, number>>): Diagnosis {
  return {pattern, count, detail, example, ...(attribution ? {attribution} : {}), ...(suggestion ? {suggestion} : {})}
}

/** A ledger-rule suggestion accepting a behaviour (reviewers fill in owner and check the expiry). */
export function ledgerSuggestion(
  text: string,
  rule: {id: string; entity: string; field: string; class: string; when: string; reason: string; property?: string; value?: string | null},
  nowMs: number,
): Suggestion {
  return {type: 'ledger', text, mapping: {ledger: [{...rule, owner: 'unassigned', expires: expiryIn(90, nowMs)}]}}
}

/** The date `days` after `nowMs` (YYYY-MM-DD), the default expiry of a suggested ledger rule. */
export function expiryIn(days: number, nowMs: number): string {
  return new Date(nowMs + days * 86_400_000).toISOString().slice(0, 10)
}

/** A kebab-case id part from any name (a portal or legacy name is untrusted). */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'x'
  )
}
