/**
 * Relation patterns: `per-record-cap` (legacy keeps exactly N edges of every record that has more),
 * else `segment` (the records with independent edge differences share a property value the other
 * records rarely have; counted in edges like the relation's root causes, the shares in records).
 * Bounded: a histogram of legacy set sizes (at most MAX_BUCKETS sizes), the largest legacy set and
 * the bounded value counts of segments.ts.
 */
import type {Attribution, Diagnosis, SampleDifference} from '../../reports/report-types.js'
import {diagnosis, ledgerSuggestion, MAX_BUCKETS, slug} from './bounded.js'
import {findSegment, segmentDiagnosis, SegmentSet, type Population} from './segments.js'

/** Diagnosis state of one relation. */
export class RelationDiagnoser {
  private maxLegacy = 0
  /** legacy set size → independent missing edges of records where legacy is a strict subset and nothing is extra */
  private readonly capped = new Map<number, number>()
  private other = 0
  private example: SampleDifference | null = null
  private readonly attribution: Partial<Record<Attribution, number>> = {}
  /** the records with independent edge differences, weighted by those edges */
  private readonly segment = new SegmentSet()

  constructor(
    private readonly entity: string,
    private readonly relation: string,
    private readonly name: string,
    private readonly kind: 'fk' | 'm2m',
  ) {}

  /** Every compared record: its legacy set, and its independent missing / extra edges. */
  observe(
    legacySize: number,
    independentMissing: number,
    independentExtra: number,
    attribution: Partial<Record<Attribution, number>>,
    sample: () => SampleDifference,
    props: Record<string, unknown>,
  ): void {
    if (legacySize > this.maxLegacy) this.maxLegacy = legacySize
    if (independentMissing === 0 && independentExtra === 0) return
    this.segment.add(props, attribution, sample, independentMissing + independentExtra)
    if (independentExtra === 0 && legacySize > 0 && (this.capped.has(legacySize) || this.capped.size < MAX_BUCKETS)) {
      this.capped.set(legacySize, (this.capped.get(legacySize) ?? 0) + independentMissing)
      for (const [a, v] of Object.entries(attribution) as Array<[Attribution, number]>) this.attribution[a] = (this.attribution[a] ?? 0) + v
      this.example ??= sample()
    } else this.other++
  }

  /** `matched`: the new-side properties of the records both sides hold (the others of a segment). */
  finish(nowMs: number, matched?: Population): Diagnosis[] {
    const cap = this.cap(nowMs)
    if (cap || !matched) return cap ? [cap] : []
    // no per-record cap: do the records whose edges differ share a property value?
    const seg = findSegment(this.segment, matched, true)
    return seg ? [segmentDiagnosis(seg, {entity: this.entity, what: `${this.entity} whose ${this.name} differ`, cls: 'relation', field: this.name, idPart: this.name}, nowMs)] : []
  }

  private cap(nowMs: number): Diagnosis | undefined {
    if (this.kind !== 'm2m' || this.other > 0 || this.capped.size !== 1) return undefined
    const [[n, edges]] = [...this.capped.entries()]
    if (this.maxLegacy > n) return undefined
    return diagnosis(
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
    )
  }
}
