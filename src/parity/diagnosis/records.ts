/**
 * Patterns of whole missing records: `count-cap` (one side holds exactly N records, N a known API
 * cap), `tail-missing` (the missing records are exactly the last K in list order, ascending id) and
 * `segment` (they share a property value the records both sides hold rarely have). O(1) state:
 * counts and the extreme ids, and the bounded value counts of segments.ts.
 */
import type {Attribution, Diagnosis, SampleDifference} from '../../reports/report-types.js'
import {compareIdText} from '../attribution.js'
import {diagnosis, ledgerSuggestion, slug} from './bounded.js'
import {findSegment, segmentDiagnosis, SegmentSet, type Population} from './segments.js'

/** Result caps of well-known CRM APIs (a search returns at most 10,000 results). */
export const KNOWN_CAPS = [10_000]

type Side = 'legacy' | 'new'
const other = (s: Side): Side => (s === 'legacy' ? 'new' : 'legacy')

/** Diagnosis state of one entity's missing records. */
export class RecordDiagnoser {
  private readonly keys: Record<Side, number> = {legacy: 0, new: 0}
  private readonly maxKey: Record<Side, string | undefined> = {legacy: undefined, new: undefined}
  /** unexplained records missing on a side: count, smallest id, one example */
  private readonly missing: Record<Side, {count: number; min?: string; example: SampleDifference | null}> = {legacy: {count: 0, example: null}, new: {count: 0, example: null}}

  /** the missing records' properties (new side for those missing in legacy, legacy columns for those missing in new) */
  private readonly segments: Record<Side, SegmentSet> = {legacy: new SegmentSet(), new: new SegmentSet()}

  constructor(private readonly entity: string) {}

  /** A distinct key present on `side` (in ascending id order or not). */
  present(side: Side, key: string): void {
    this.keys[side]++
    const m = this.maxKey[side]
    if (m === undefined || compareIdText(key, m) > 0) this.maxKey[side] = key
  }

  /** An unexplained record missing on `side`. */
  lacking(side: Side, key: string, sample: () => SampleDifference, props: Record<string, unknown>, attribution?: Attribution): void {
    this.segments[side].add(props, attribution, sample)
    const m = this.missing[side]
    m.count++
    if (m.min === undefined || compareIdText(key, m.min) < 0) m.min = key
    m.example ??= sample()
  }

  /** `others`: per side, the population the missing records' properties are compared with (the records both sides hold). */
  finish(nowMs: number, others?: Record<Side, Population>): Diagnosis[] {
    const out: Diagnosis[] = []
    for (const side of ['legacy', 'new'] as const) {
      const m = this.missing[side]
      if (m.count === 0) continue
      const cls = side === 'legacy' ? 'missing_in_legacy' : 'missing_in_new'
      const accept = (what: string, id: string) =>
        ledgerSuggestion(
          `accept that ${what}: a behaviour (ledger rule); or fix the ${side === 'legacy' ? 'legacy' : 'new'} sync`,
          {id: `${slug(this.entity)}-${id}`, entity: this.entity, field: '*', class: cls, when: 'any', reason: what},
          nowMs,
        )
      const cap = KNOWN_CAPS.find((n) => this.keys[side] === n)
      const tag = (d: Diagnosis): Diagnosis => ({...d, recordClass: cls})
      if (cap !== undefined)
        out.push(
          tag(
            diagnosis(
              'count-cap',
              m.count,
              `${side} holds exactly ${cap.toLocaleString('en-US')} ${this.entity}, a known API result cap`,
              m.example,
              accept(`${side} holds at most ${cap} ${this.entity} (an API result cap)`, `${side}-cap-${cap}`),
            ),
          ),
        )
      const last = this.maxKey[side]
      if (m.min !== undefined && (last === undefined || compareIdText(m.min, last) > 0) && this.keys[other(side)] > m.count) {
        out.push(
          tag(
            diagnosis(
              'tail-missing',
              m.count,
              `the ${m.count} ${this.entity} missing in ${side} are exactly the last ${m.count} in list order (ascending id)`,
              m.example,
              accept(`${side} lacks the last ${m.count} ${this.entity} in list order (a lost last page)`, `${side}-tail`),
            ),
          ),
        )
      }
      const seg = others && findSegment(this.segments[side], others[side], false)
      if (seg) out.push(tag(segmentDiagnosis(seg, {entity: this.entity, what: `${this.entity} missing in ${side}`, cls, field: '*', idPart: cls.replace(/_/g, '-')}, nowMs)))
    }
    // largest first; a segment (a part of the missing records) never ahead of a pattern that covers them all
    return out.sort((a, b) => b.count - a.count)
  }
}
