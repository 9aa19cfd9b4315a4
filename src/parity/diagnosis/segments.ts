/**
 * `segment`: the missing or differing records share a property value, or its absence, that the
 * other records rarely have. Bounded memory, counted while the diff streams:
 * - a `Population` counts, per property, the values of every record of a kind (the records both
 *   sides hold; per side), for at most SEGMENT_MAX_PROPERTIES properties and SEGMENT_MAX_VALUES
 *   distinct values each: a property with more values (or a value longer than
 *   SEGMENT_MAX_VALUE_LENGTH) is high-cardinality, its value counts dropped for good and only
 *   its presence still counted (so its absence can be a segment, never one of its values): an
 *   email or a timestamp costs one counter, never one entry per record;
 * - a `SegmentSet` counts the same for the differing (or missing) records, with one example and
 *   the attribution per value.
 * `findSegment` applies the rule of docs/parity.md#segment at the end. "" and null are absence.
 */
import type {Attribution, Diagnosis, SampleDifference} from '../../reports/report-types.js'
import {toText} from '../normalizers.js'
import {diagnosis, ledgerSuggestion, slug} from './bounded.js'

/** A segment needs at least this many differing records. */
export const SEGMENT_MIN_RECORDS = 20
/** ... at least this share of them with the value ... */
export const SEGMENT_MIN_SHARE = 0.8
/** ... and at most this share of the other records with it. */
export const SEGMENT_MAX_OTHERS_SHARE = 0.2
/** Distinct values a property may have before it is high-cardinality (skipped). */
export const SEGMENT_MAX_VALUES = 32
/** Properties tracked per population or set (the first seen, in key order). */
export const SEGMENT_MAX_PROPERTIES = 64
/** A longer value makes its property high-cardinality. */
export const SEGMENT_MAX_VALUE_LENGTH = 200

type Props = Record<string, unknown>
type Attr = Partial<Record<Attribution, number>>

/** A property value as a segment sees it: text, or null for absence ("" counts as absent). */
export function segmentValue(v: unknown): string | null {
  const t = toText(v)
  return t === null || t === '' ? null : t
}

/** One property of a population: how many records have a value, and the counts of each value (null once high-cardinality). */
interface PropCounts {
  present: number
  values: Map<string, number> | null
}

/** The counts of property `k` in `props`, made when it is first seen; undefined past the property cap. */
function slot<T>(props: Map<string, T>, k: string, make: () => T): T | undefined {
  let c = props.get(k)
  if (c === undefined && props.size < SEGMENT_MAX_PROPERTIES) props.set(k, (c = make()))
  return c
}

/** Per-property value counts of one population. */
export class Population {
  records = 0
  readonly props = new Map<string, PropCounts>()
  /** the property cap was reached: a property not in `props` may exist (unknown, not absent) */
  full = false

  add(p: Props): void {
    this.records++
    for (const k of Object.keys(p)) {
      const c = slot(this.props, k, () => ({present: 0, values: new Map()}))
      if (c === undefined) {
        this.full = true
        continue
      }
      const v = segmentValue(p[k])
      if (v === null) continue
      c.present++
      const m = c.values
      if (m === null) continue
      const n = m.get(v)
      if (n !== undefined) m.set(v, n + 1)
      else if (m.size >= SEGMENT_MAX_VALUES || v.length > SEGMENT_MAX_VALUE_LENGTH) c.values = null
      else m.set(v, 1)
    }
  }

  /** Records with `property` = `value` (null: absent), or undefined when not known (a value of a high-cardinality property, or past the property cap). */
  count(property: string, value: string | null): number | undefined {
    const c = this.props.get(property)
    if (c === undefined) return this.full ? undefined : value === null ? this.records : 0
    if (value === null) return this.records - c.present
    return c.values === null ? undefined : (c.values.get(value) ?? 0)
  }
}

interface Entry {
  /** records */
  count: number
  /** their differences (1 per record for a field or missing records; independent edges for a relation) */
  weight: number
  example: SampleDifference | null
  attribution: Attr
}

/** Add one record's attribution: one difference's, or a map of its differences' (a relation's edges). */
const addAttr = (a: Attr, x: Attribution | Attr | undefined): void => {
  if (typeof x === 'string') a[x] = (a[x] ?? 0) + 1
  else if (x) for (const [k, v] of Object.entries(x) as Array<[Attribution, number]>) a[k] = (a[k] ?? 0) + v
}
const minus = (a: Attr, b: Attr): Attr => {
  const out: Attr = {}
  for (const [k, v] of Object.entries(a) as Array<[Attribution, number]>) if (v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0)
  return out
}

interface SetProp {
  present: number
  presentWeight: number
  presentAttr: Attr
  values: Map<string, Entry> | null
  /** a record of the set that lacks the property (after the property was first seen) */
  absentExample?: SampleDifference
}

/** The differing (or missing) records of one field, relation or record class: per property the counts of their values. */
export class SegmentSet {
  total = 0
  totalWeight = 0
  readonly attribution: Attr = {}
  private first: SampleDifference | null = null
  readonly props = new Map<string, SetProp>()
  full = false

  /** One differing record: its properties, its attribution (if any), its sample (made at most once, when an example is needed) and how many differences it has. */
  add(p: Props, attribution: Attribution | Attr | undefined, sample: () => SampleDifference, weight = 1): void {
    this.total++
    this.totalWeight += weight
    addAttr(this.attribution, attribution)
    let s: SampleDifference | undefined
    const ex = (): SampleDifference => (s ??= sample())
    this.first ??= ex()
    for (const k of Object.keys(p)) {
      const c = slot(this.props, k, () => ({present: 0, presentWeight: 0, presentAttr: {}, values: new Map()}))
      if (c === undefined) {
        this.full = true
        continue
      }
      const v = segmentValue(p[k])
      if (v === null) {
        c.absentExample ??= ex()
        continue
      }
      c.present++
      c.presentWeight += weight
      addAttr(c.presentAttr, attribution)
      const m = c.values
      if (m === null) continue
      let e = m.get(v)
      if (!e) {
        if (m.size >= SEGMENT_MAX_VALUES || v.length > SEGMENT_MAX_VALUE_LENGTH) {
          c.values = null
          continue
        }
        m.set(v, (e = {count: 0, weight: 0, example: ex(), attribution: {}}))
      }
      e.count++
      e.weight += weight
      addAttr(e.attribution, attribution)
    }
  }

  /** This set's records with `property` = `value` (null: absent), with an example and their attribution; undefined when not known. */
  entry(property: string, value: string | null): Entry | undefined {
    const none: Entry = {count: 0, weight: 0, example: null, attribution: {}}
    const c = this.props.get(property)
    if (c === undefined) return this.full ? undefined : value === null ? {count: this.total, weight: this.totalWeight, example: this.first, attribution: this.attribution} : none
    // a record that lacks the key entirely set no absence example: then the set's first record did (it came before the key was first seen)
    if (value === null) return {count: this.total - c.present, weight: this.totalWeight - c.presentWeight, example: c.absentExample ?? this.first, attribution: minus(this.attribution, c.presentAttr)}
    return c.values === null ? undefined : (c.values.get(value) ?? none)
  }
}

/** A found segment (the `segment` diagnosis's figures). */
export interface SegmentFinding {
  property: string
  value: string | null
  /** differing records with the value */
  count: number
  /** their differences (= count, but for a relation: its independent edges) */
  differences: number
  differing: number
  others: number
  shareInDiffering: number
  shareInOthers: number
  lift: number
  example: SampleDifference | null
  attribution: Attr
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places

/**
 * The strongest segment of `set` against `pop`, or undefined. `nested`: the set's records are part
 * of `pop` (differing fields of records both sides hold), else disjoint from it (missing records
 * against the records both sides hold). A segment: at least SEGMENT_MIN_RECORDS differing records,
 * at least SEGMENT_MIN_SHARE of them with the value and at most SEGMENT_MAX_OTHERS_SHARE of the
 * others; the largest count wins (then the higher lift, then the property name).
 */
export function findSegment(set: SegmentSet, pop: Population, nested: boolean, exclude: ReadonlySet<string> = new Set()): SegmentFinding | undefined {
  const differing = set.total
  const others = nested ? pop.records - differing : pop.records
  if (differing < SEGMENT_MIN_RECORDS || others <= 0) return undefined
  let best: SegmentFinding | undefined
  const names = new Set([...set.props.keys(), ...pop.props.keys()])
  for (const property of [...names].sort()) {
    if (exclude.has(property)) continue
    // absence always (a presence count is kept for every property); values while the property is not high-cardinality
    const values: Array<string | null> = [null, ...(set.props.get(property)?.values?.keys() ?? [])]
    for (const value of values) {
      const e = set.entry(property, value)
      const inPop = pop.count(property, value)
      if (!e || inPop === undefined || e.count === 0) continue
      const inOthers = nested ? inPop - e.count : inPop
      const shareD = e.count / differing
      const shareO = inOthers / others
      if (shareD < SEGMENT_MIN_SHARE || shareO > SEGMENT_MAX_OTHERS_SHARE) continue
      const lift = shareD / ((e.count + inOthers) / (differing + others))
      if (best && (e.count < best.count || (e.count === best.count && lift <= best.lift))) continue
      best = {
        property,
        value,
        count: e.count,
        differences: e.weight,
        differing,
        others,
        shareInDiffering: round(shareD, 4),
        shareInOthers: round(shareO, 4),
        lift: round(lift, 2),
        example: e.example,
        attribution: e.attribution,
      }
    }
  }
  return best
}

/** The finding in words, e.g. `92.0% of the 650 contacts missing in legacy have lifecyclestage = "customer", against 0.0% of the 9,950 others (lift 15.4×)`. */
export function describeSegment(f: SegmentFinding, what: string): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const has = f.value === null ? `lack ${f.property}` : `have ${f.property} = ${JSON.stringify(f.value)}`
  return `${pct(f.shareInDiffering)} of the ${f.differing.toLocaleString('en-US')} ${what} ${has}, against ${pct(f.shareInOthers)} of the ${f.others.toLocaleString('en-US')} others (lift ${f.lift}×)`
}

/** What the segment's records are, for its text. */
export interface SegmentSubject {
  entity: string
  /** e.g. "contacts missing in legacy", "contacts whose phone differs" */
  what: string
  /** the ledger rule a reviewer may accept: class and field (the field, relation name or `*`) */
  cls: 'missing_in_legacy' | 'missing_in_new' | 'modified' | 'relation'
  field: string
  /** id part, e.g. "missing-in-legacy", "phone" */
  idPart: string
}

/** The `segment` diagnosis of a finding, with its suggestion: a ledger rule on the segment (a behaviour to accept) or a filter to investigate. */
export function segmentDiagnosis(f: SegmentFinding, s: SegmentSubject, nowMs: number): Diagnosis {
  const detail = describeSegment(f, s.what)
  const cond = f.value === null ? `lack ${f.property}` : `have ${f.property} = ${JSON.stringify(f.value)}`
  const rule = {
    id: `${slug(s.entity)}-${slug(s.idPart)}-segment-${slug(f.property)}`,
    entity: s.entity,
    field: s.field,
    class: s.cls,
    when: 'property-is',
    property: f.property,
    value: f.value,
    reason: `legacy treats ${s.entity} that ${cond} differently (${detail})`,
  }
  const suggestion = ledgerSuggestion(
    `the ${s.what} concentrate on ${s.entity} that ${cond}: a filter or branch in legacy to investigate; if legacy does this on purpose, accept it as a behaviour (ledger rule with reason, owner, expiry, for those ${s.entity} only)`,
    rule,
    nowMs,
  )
  return {
    ...diagnosis('segment', f.differences, detail, f.example, suggestion, Object.keys(f.attribution).length > 0 ? f.attribution : undefined),
    property: f.property,
    value: f.value,
    shareInDiffering: f.shareInDiffering,
    shareInOthers: f.shareInOthers,
    lift: f.lift,
  }
}
