/**
 * Relation patterns: `per-record-cap` (legacy keeps exactly N edges of every record that has more).
 * Bounded: a histogram of legacy set sizes (at most MAX_BUCKETS sizes) and the largest legacy set.
 */
import type {Attribution, Diagnosis, SampleDifference} from '../../reports/report-types.js'
import {diagnosis, ledgerSuggestion, MAX_BUCKETS, slug} from './bounded.js'

/** Diagnosis state of one relation. */
export class RelationDiagnoser {
  private maxLegacy = 0
  /** legacy set size → independent missing edges of records where legacy is a strict subset and nothing is extra */
  private readonly capped = new Map<number, number>()
  private other = 0
  private example: SampleDifference | null = null
  private readonly attribution: Partial<Record<Attribution, number>> = {}

  constructor(
    private readonly entity: string,
    private readonly relation: string,
    private readonly name: string,
    private readonly kind: 'fk' | 'm2m',
  ) {}

  /** Every compared record: its legacy set, and its independent missing / extra edges. */
  observe(legacySize: number, independentMissing: number, independentExtra: number, attribution: Partial<Record<Attribution, number>>, sample: () => SampleDifference): void {
    if (legacySize > this.maxLegacy) this.maxLegacy = legacySize
    if (independentMissing === 0 && independentExtra === 0) return
    if (independentExtra === 0 && legacySize > 0 && (this.capped.has(legacySize) || this.capped.size < MAX_BUCKETS)) {
      this.capped.set(legacySize, (this.capped.get(legacySize) ?? 0) + independentMissing)
      for (const [a, v] of Object.entries(attribution) as Array<[Attribution, number]>) this.attribution[a] = (this.attribution[a] ?? 0) + v
      this.example ??= sample()
    } else this.other++
  }

  finish(nowMs: number): Diagnosis[] {
    if (this.kind !== 'm2m' || this.other > 0 || this.capped.size !== 1) return []
    const [[n, edges]] = [...this.capped.entries()]
    if (this.maxLegacy > n) return []
    return [
      diagnosis(
        'per-record-cap',
        edges,
        `legacy keeps exactly ${n} edge(s) of every record that has more`,
        this.example,
        ledgerSuggestion(
          `accept that legacy keeps at most ${n} ${this.relation} edge(s) per record: a behaviour (ledger rule)`,
          {
            id: `${slug(this.entity)}-${slug(this.name)}-cap-${n}`,
            entity: this.entity,
            field: this.name,
            class: 'relation',
            when: 'any',
            reason: `legacy keeps at most ${n} edges of ${this.relation} per record`,
          },
          nowMs,
        ),
        this.attribution,
      ),
    ]
  }
}
