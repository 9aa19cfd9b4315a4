/**
 * Value patterns of one field's unexplained differences: each difference is classified once (the
 * first pattern that explains it) into timezone-shift, precision, decimal-truncated/-rounded,
 * digits-only, punctuation, case, whitespace, truncated or empty-vs-null; what none explains is
 * checked for a consistent value-to-value map (enum-remap) at the end, else for a `segment` (the
 * records share a property value the others rarely have). Bounded: counts, one example per pattern,
 * the bounded value counts of segments.ts.
 */
import type {Attribution, Diagnosis, FieldStats, SampleDifference, Suggestion} from '../../reports/report-types.js'
import type {FieldMapping} from '../mapping/schema.js'
import {dateInZone, parseInstant, truncateDecimal, type Value} from '../normalizers.js'
import {diagnosis, ledgerSuggestion, PairMap, PatternCounts, slug} from './bounded.js'
import {findSegment, segmentDiagnosis, SegmentSet, type Population} from './segments.js'

/** Zones tried for a date taken in another zone than the mapping assumes. */
export const CANDIDATE_ZONES = [
  'UTC',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
]

/** Patterns that are a representation convention (the same value in another form): the mapping is wrong, not legacy. */
export const CONVENTIONS: ReadonlySet<string> = new Set(['timezone-shift', 'precision', 'decimal-truncated', 'decimal-rounded', 'digits-only', 'punctuation', 'case', 'empty-vs-null'])

const DEC = /^-?\d+(?:\.(\d+))?$/
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/
const strip = (s: string): string => s.replace(/[^\d+]/g, '')
/** Phone-like text: at least 5 digits and no letters besides an extension marker. */
const phoneLike = (s: string): boolean => !/[a-z]/i.test(s.replace(/\b(ext\.?|x)(?=\s*\d)/gi, '')) && (s.match(/\d/g)?.length ?? 0) >= 5
const specName = (s: string): string => s.split(':')[0]

export interface Classified {
  pattern: string
  param: string
  /** a convention with a normalizer that turns the new value into the legacy form */
  convention: boolean
}

/** Classify one difference (legacy and new values as compared, and the new side's raw text). */
export function classifyValue(fm: FieldMapping, l: Value, n: Value, nRaw: Value): Classified | undefined {
  const conv = (pattern: string, param: string): Classified => ({pattern, param, convention: CONVENTIONS.has(pattern) && !(pattern === 'timezone-shift' && param.endsWith('h'))})
  if ((l === '' && n === null) || (l === null && n === '')) return conv('empty-vs-null', l === '' ? 'legacy-empty' : 'legacy-null')
  if (l === null || n === null) return undefined
  const dateSpec = fm.normalize.find((s) => specName(s) === 'date')
  if (dateSpec && nRaw !== null && /^\d{4}-\d{2}-\d{2}$/.test(l)) {
    const ms = parseInstant(nRaw)
    if (!Number.isNaN(ms)) for (const z of CANDIDATE_ZONES) if (z !== dateSpec.slice(5) && dateInZone(ms, z) === l) return conv('timezone-shift', z)
  }
  if (INSTANT.test(l) && nRaw !== null && INSTANT.test(nRaw)) {
    const lm = parseInstant(l)
    const nm = parseInstant(nRaw)
    if (!Number.isNaN(lm) && !Number.isNaN(nm)) {
      if (lm === Math.floor(nm / 1000) * 1000 && lm !== nm) return conv('precision', 's')
      const d = lm - Math.floor(nm / 1000) * 1000
      if (d !== 0 && d % 3_600_000 === 0 && Math.abs(d) <= 14 * 3_600_000) return conv('timezone-shift', `${d > 0 ? '+' : ''}${d / 3_600_000}h`)
    }
  }
  const ld = DEC.exec(l)
  if (ld && nRaw !== null && DEC.test(nRaw.trim())) {
    const places = (ld[1] ?? '').length
    if (truncateDecimal(nRaw, places) === l) return conv('decimal-truncated', String(places))
    if (Number(nRaw).toFixed(places) === l) return conv('decimal-rounded', String(places))
  }
  if (phoneLike(n) && phoneLike(l)) {
    if (l === strip(n)) return conv('digits-only', '')
    if (strip(l) === strip(n)) return conv('punctuation', '')
  }
  if (l.toLowerCase() === n.toLowerCase()) return conv('case', l === n.toLowerCase() ? 'lowercase' : l === n.toUpperCase() ? 'uppercase' : 'case-insensitive')
  if (l.trim().replace(/\s+/g, ' ') === n.trim().replace(/\s+/g, ' ')) return conv('whitespace', l.trim() === l ? 'new-padded' : 'legacy-padded')
  if (l.length > 0 && l.length < n.length && n.startsWith(l)) return conv('truncated', String([...l].length))
  return undefined
}

/** `list` with the specs of the same family (names in `family`) replaced by `spec` (or `spec` appended). */
function withSpec(list: readonly string[], family: string[], spec: string): string[] {
  const i = list.findIndex((s) => family.includes(specName(s)))
  const rest = list.filter((s) => !family.includes(specName(s)))
  if (i < 0) return [...rest, spec]
  rest.splice(Math.min(i, rest.length), 0, spec)
  return rest
}

const DESCRIBE: Record<string, (param: string) => string> = {
  'timezone-shift': (p) => (p.endsWith('h') ? `legacy times are shifted by ${p}` : `legacy takes the calendar date in ${p}`),
  precision: () => 'legacy keeps whole seconds',
  'decimal-truncated': (p) => `legacy cuts the number at ${p} decimal places instead of rounding`,
  'decimal-rounded': (p) => `legacy rounds the number to ${p} decimal places`,
  'digits-only': () => 'legacy keeps only digits and +',
  punctuation: () => 'equal once punctuation is removed from both',
  case: (p) => (p === 'case-insensitive' ? 'the values differ only in letter case' : `legacy stores the value in ${p}`),
  whitespace: (p) => (p === 'legacy-padded' ? 'legacy keeps surrounding or repeated whitespace' : 'the values differ only in whitespace'),
  truncated: (p) => `legacy cuts the value at ${p} characters`,
  'empty-vs-null': (p) => (p === 'legacy-empty' ? 'legacy stores a missing value as ""' : 'legacy stores an empty value as null'),
}

/** A pattern is reported only when it holds at least this many differences (fewer can be coincidence). */
export const MIN_PATTERN = 3
/** A convention re-attributes its differences to `mapping_convention` when it holds at least this share of the field's mismatches. */
export const CONVENTION_SHARE = 0.5

/** Diagnosis state of one field. */
export class FieldDiagnoser {
  private readonly patterns = new PatternCounts()
  private readonly pairs = new PairMap()
  /** the kept samples with the pattern that classified them (at most the sample cap) */
  private readonly tagged = new Map<SampleDifference, string>()
  /** the records of the differences no value pattern classified */
  private readonly segment = new SegmentSet()

  constructor(
    private readonly entity: string,
    private readonly field: string,
    private readonly fm: FieldMapping,
  ) {}

  /** Classify one unexplained difference (legacy and new as compared, the new side's raw text). */
  classify(l: Value, n: Value, nRaw: Value): Classified | undefined {
    return classifyValue(this.fm, l, n, nRaw)
  }

  /** Count a classified (or unclassified) difference with its attribution. */
  record(c: Classified | undefined, l: Value, n: Value, attribution: Attribution, sample: () => SampleDifference, props: Record<string, unknown>): void {
    if (c) this.patterns.add(c.pattern, c.param, sample, attribution)
    else {
      this.pairs.add(n, l, sample, attribution)
      this.segment.add(props, attribution, sample)
    }
  }

  /** Remember which pattern a kept sample has (for its attribution when the convention is confirmed). */
  tag(s: SampleDifference, c: Classified | undefined): void {
    if (c?.convention) this.tagged.set(s, `${c.pattern}\u0000${c.param}`)
  }

  private normalizerFix(fragment: Partial<FieldMapping>, text: string): Suggestion {
    return {type: 'normalizer', text, mapping: {entities: {[this.entity]: {fields: {[this.field]: fragment}}}}}
  }

  private suggestion(pattern: string, param: string, nowMs: number): Suggestion | undefined {
    const norm = this.fm.normalize
    const set = (list: string[], what: string): Suggestion => this.normalizerFix({normalize: list}, `set ${this.entity}.${this.field} normalize to ${JSON.stringify(list)} (${what})`)
    switch (pattern) {
      case 'timezone-shift':
        return param.endsWith('h') ? undefined : set(withSpec(norm, ['date'], `date:${param}`), 'a representation convention: the date in another zone')
      case 'precision':
        return set(withSpec(norm, ['datetime'], 'datetime:s'), 'a representation convention: time precision')
      case 'decimal-truncated':
        return set(withSpec(norm, ['decimal', 'decimal-truncate', 'number'], `decimal-truncate:${param}`), 'a representation convention: decimal places cut, not rounded')
      case 'decimal-rounded':
        return set(withSpec(norm, ['decimal', 'decimal-truncate', 'number'], `decimal:${param}`), 'a representation convention: decimal places')
      case 'digits-only':
        return set(withSpec(norm, ['digits'], 'digits'), 'a representation convention: digits only')
      case 'punctuation':
        return this.normalizerFix(
          {normalize: withSpec(norm, ['digits'], 'digits'), normalizeLegacy: withSpec(this.fm.normalizeLegacy ?? [], ['digits'], 'digits')},
          `compare ${this.entity}.${this.field} as digits on both sides (an equivalence: punctuation differs)`,
        )
      case 'case':
        return set(withSpec(norm, ['lowercase', 'uppercase', 'case-insensitive'], param), 'a representation convention: letter case')
      case 'truncated':
        return set(withSpec(norm, ['truncate'], `truncate:${param}`), 'a length limit: legacy loses the rest of the value, accept it knowingly')
      case 'empty-vs-null':
        return set(withSpec(norm, ['null-as-empty', 'empty-as-null'], param === 'legacy-empty' ? 'null-as-empty' : 'empty-as-null'), 'a representation convention: the empty value')
      case 'whitespace':
        return ledgerSuggestion(
          `accept that legacy ${norm.includes('trim') ? 'does not trim, although the mapping documents trim' : 'differs in whitespace'}: a behaviour (ledger rule with reason, owner, expiry)`,
          {
            id: `${slug(this.entity)}-${slug(this.field)}-whitespace`,
            entity: this.entity,
            field: this.field,
            class: 'modified',
            when: 'any',
            reason: `legacy ${this.field} differs from HubSpot only in whitespace`,
          },
          nowMs,
        )
      default:
        return undefined
    }
  }

  /**
   * The field's diagnoses, largest first; `matched`: the new-side properties of the records both
   * sides hold (the others of a segment). A convention that holds at least CONVENTION_SHARE of the
   * field's mismatches is confirmed: its legacy-defect (and unattributed) differences become
   * `mapping_convention` in `fs` and in its samples.
   */
  finish(nowMs: number, fs: FieldStats, matched?: Population): Diagnosis[] {
    const buckets = this.patterns.list().filter((b) => b.count >= MIN_PATTERN)
    for (const b of buckets) {
      const convention = CONVENTIONS.has(b.pattern) && !(b.pattern === 'timezone-shift' && b.param.endsWith('h'))
      if (!convention || b.count < CONVENTION_SHARE * fs.mismatched) continue
      for (const from of ['legacy_defect', 'unattributed'] as const) {
        const v = b.attribution[from] ?? 0
        if (v === 0) continue
        delete b.attribution[from]
        b.attribution.mapping_convention = (b.attribution.mapping_convention ?? 0) + v
        const left = (fs.attribution[from] ?? 0) - v
        if (left > 0) fs.attribution[from] = left
        else delete fs.attribution[from]
        fs.attribution.mapping_convention = (fs.attribution.mapping_convention ?? 0) + v
      }
      const key = `${b.pattern}\u0000${b.param}`
      for (const s of fs.samples) if (this.tagged.get(s) === key && (s.attribution === 'legacy_defect' || s.attribution === 'unattributed')) s.attribution = 'mapping_convention'
      if (b.example && (b.example.attribution === 'legacy_defect' || b.example.attribution === 'unattributed')) b.example = {...b.example, attribution: 'mapping_convention'}
    }
    const out = buckets.map((b) => diagnosis(b.pattern, b.count, (DESCRIBE[b.pattern] ?? (() => b.pattern))(b.param), b.example, this.suggestion(b.pattern, b.param, nowMs), b.attribution))
    const map = this.pairs.consistent()
    if (map && this.pairs.total >= MIN_PATTERN) {
      const text = map
        .slice(0, 5)
        .map((p) => `${JSON.stringify(p.from)} → ${JSON.stringify(p.to)}`)
        .join(', ')
      out.push(
        diagnosis(
          'enum-remap',
          this.pairs.total,
          `legacy maps values consistently: ${text}${map.length > 5 ? ', …' : ''}`,
          this.pairs.example,
          ledgerSuggestion(
            `accept the value map of ${this.entity}.${this.field}: a behaviour (ledger rule)`,
            {id: `${slug(this.entity)}-${slug(this.field)}-remap`, entity: this.entity, field: this.field, class: 'modified', when: 'any', reason: `legacy maps ${this.field} values: ${text}`},
            nowMs,
          ),
          this.pairs.attribution,
        ),
      )
    } else if (matched) {
      // what no value pattern explains: do those records share a property value? (never the field's own property: that is a value map)
      const seg = findSegment(this.segment, matched, true, new Set([this.fm.property]))
      if (seg) out.push(segmentDiagnosis(seg, {entity: this.entity, what: `${this.entity} whose ${this.field} differs`, cls: 'modified', field: this.field, idPart: this.field}, nowMs))
    }
    return out.sort((a, b) => b.count - a.count)
  }
}
