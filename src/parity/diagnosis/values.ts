/**
 * Value patterns of one field's unexplained differences: each difference is classified once (the
 * first pattern that explains it) into timezone-shift, precision, decimal-truncated/-rounded,
 * digits-only, punctuation, case, whitespace, truncated or empty-vs-null; what none explains is
 * checked for a consistent value-to-value map (enum-remap) at the end. Bounded: counts, one example
 * per pattern.
 */
import type {Attribution, Diagnosis, SampleDifference, Suggestion} from '../../reports/report-types.js'
import type {FieldMapping} from '../mapping/schema.js'
import {dateInZone, parseInstant, truncateDecimal, type Value} from '../normalizers.js'
import {diagnosis, ledgerSuggestion, PairMap, PatternCounts, slug} from './bounded.js'

/** Zones tried for a date taken in another zone than the mapping assumes. */
export const CANDIDATE_ZONES = ['UTC', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney']

/** Patterns that are a representation convention (the same value in another form): the mapping is wrong, not legacy. */
export const CONVENTIONS: ReadonlySet<string> = new Set(['timezone-shift', 'precision', 'decimal-truncated', 'decimal-rounded', 'digits-only', 'punctuation', 'case', 'truncated', 'empty-vs-null'])

const DEC = /^-?\d+(?:\.(\d+))?$/
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/
const strip = (s: string): string => s.replace(/[^\d+]/g, '')
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
  if (strip(n) !== '' && l === strip(n)) return conv('digits-only', '')
  if (strip(n) !== '' && strip(l) === strip(n)) return conv('punctuation', '')
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

/** Diagnosis state of one field. */
export class FieldDiagnoser {
  private readonly patterns = new PatternCounts()
  private readonly pairs = new PairMap()

  constructor(
    private readonly entity: string,
    private readonly field: string,
    private readonly fm: FieldMapping,
  ) {}

  /** Classify one unexplained difference (legacy and new as compared, the new side's raw text). */
  classify(l: Value, n: Value, nRaw: Value): Classified | undefined {
    return classifyValue(this.fm, l, n, nRaw)
  }

  /** Count a classified (or unclassified) difference with its final attribution. */
  record(c: Classified | undefined, l: Value, n: Value, attribution: Attribution, sample: () => SampleDifference): void {
    if (c) this.patterns.add(c.pattern, c.param, sample, attribution)
    else this.pairs.add(n, l, sample, attribution)
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
        return this.normalizerFix({normalize: withSpec(norm, ['digits'], 'digits'), normalizeLegacy: withSpec(this.fm.normalizeLegacy ?? [], ['digits'], 'digits')}, `compare ${this.entity}.${this.field} as digits on both sides (an equivalence: punctuation differs)`)
      case 'case':
        return set(withSpec(norm, ['lowercase', 'uppercase', 'case-insensitive'], param), 'a representation convention: letter case')
      case 'truncated':
        return set(withSpec(norm, ['truncate'], `truncate:${param}`), 'a representation convention: a length limit')
      case 'empty-vs-null':
        return set(withSpec(norm, ['null-as-empty', 'empty-as-null'], param === 'legacy-empty' ? 'null-as-empty' : 'empty-as-null'), 'a representation convention: the empty value')
      case 'whitespace':
        return ledgerSuggestion(
          `accept that legacy ${norm.includes('trim') ? 'does not trim, although the mapping documents trim' : 'differs in whitespace'}: a behaviour (ledger rule with reason, owner, expiry)`,
          {id: `${slug(this.entity)}-${slug(this.field)}-whitespace`, entity: this.entity, field: this.field, class: 'modified', when: 'any', reason: `legacy ${this.field} differs from HubSpot only in whitespace`},
          nowMs,
        )
      default:
        return undefined
    }
  }

  /** The field's diagnoses, largest first. */
  finish(nowMs: number): Diagnosis[] {
    const out = this.patterns.list().map((b) => diagnosis(b.pattern, b.count, (DESCRIBE[b.pattern] ?? (() => b.pattern))(b.param), b.example, this.suggestion(b.pattern, b.param, nowMs), b.attribution))
    const map = this.pairs.consistent()
    if (map) {
      const text = map.slice(0, 5).map((p) => `${JSON.stringify(p.from)} → ${JSON.stringify(p.to)}`).join(', ')
      out.push(
        diagnosis('enum-remap', this.pairs.total, `legacy maps values consistently: ${text}${map.length > 5 ? ', …' : ''}`, this.pairs.example, ledgerSuggestion(`accept the value map of ${this.entity}.${this.field}: a behaviour (ledger rule)`, {id: `${slug(this.entity)}-${slug(this.field)}-remap`, entity: this.entity, field: this.field, class: 'modified', when: 'any', reason: `legacy maps ${this.field} values: ${text}`}, nowMs), this.pairs.attribution),
      )
    }
    return out.sort((a, b) => b.count - a.count)
  }
}
