/**
 * Normalizers: small pure functions, named in the mapping file as strings (`trim`, `truncate:100`,
 * `datetime:s`, ...). Most describe the legacy representation (trim, lowercase, truncate, decimal
 * places, time precision, date in a zone, empty forms): they turn the new value into the legacy form
 * and the legacy value is compared as it is (only its text form is canonicalized, losslessly), so a
 * legacy that does not do what the mapping documents shows up as a difference. Equivalences
 * (`case-insensitive`, `empty-as-null`, `semicolon-set`, `tolerance:X`, `bool`, `number`, `json`) apply to both sides.
 */
import {didYouMean} from './did-you-mean.js'

export type Value = string | null
type Fn = (v: Value) => Value

/** A compiled normalizer chain plus the comparison it implies. */
export interface FieldComparator {
  normalize(raw: unknown): Value
  /** the specs (in order) that changed `raw` on the way to its normalized value; tolerance is not a step */
  changedBy(raw: unknown): string[]
  /** the `tolerance:X` spec, when the comparison has one */
  toleranceSpec?: string
  equal(a: Value, b: Value): boolean
  /** true when values are JSON documents (deep-diff paths are reported) */
  json: boolean
}

export const NORMALIZER_NAMES = [
  'trim',
  'lowercase',
  'uppercase',
  'truncate',
  'empty-as-null',
  'null-as-empty',
  'digits',
  'decimal',
  'decimal-truncate',
  'datetime',
  'date',
  'case-insensitive',
  'semicolon-set',
  'tolerance',
  'bool',
  'number',
  'json',
] as const

/** Normalizers that are equivalences (applied to both sides); every other one describes the legacy representation. */
export const EQUIVALENCES: ReadonlySet<string> = new Set(['case-insensitive', 'empty-as-null', 'semicolon-set', 'tolerance', 'bool', 'number', 'json'])

/** Which side a compiled chain is for: `new` applies every normalizer; `legacy` applies equivalences and only canonicalizes representations. */
export type ChainSide = 'new' | 'legacy'

/** Thrown for an unknown or malformed normalizer; the mapping loader adds the key path. */
export class NormalizerSpecError extends Error {}

/** Convert any raw value (JSON, CSV text, SQL value) to a string or null. */
export function toText(raw: unknown): Value {
  if (raw === null || raw === undefined) return null
  if (typeof raw === 'string') return raw
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw)
  if (typeof raw === 'boolean') return raw ? 'true' : 'false'
  if (raw instanceof Date) return raw.toISOString()
  return JSON.stringify(raw)
}

/** Parse an ISO 8601 / PostgreSQL text / epoch-milliseconds datetime; NaN when it is none of them. */
const ISO_PARTS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?Z$/
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/
export function parseInstant(s: string): number {
  if (ISO_Z.test(s)) return Date.parse(s) // the common case, fast
  const t = s.trim()
  if (/^-?\d{10,}$/.test(t)) return Number(t)
  let iso = t.replace(' ', 'T')
  iso = iso.replace(/([+-]\d{2})$/, '$1:00').replace(/([+-]\d{2})(\d{2})$/, '$1:$2')
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z'
  else if (!/(Z|[+-]\d{2}:\d{2})$/i.test(iso)) iso += 'Z'
  return Date.parse(iso)
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>()
function dateIn(ms: number, tz: string): string {
  let f = dateFormatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit'})
    dateFormatters.set(tz, f)
  }
  return f.format(ms)
}

const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?$/
/** A decimal text cut (not rounded) at n places, padded; null when `v` is not a plain decimal. */
export function truncateDecimal(v: string, n: number): string | null {
  const m = DECIMAL.exec(v.trim())
  if (!m || (m[2] === '' && !m[3])) return null
  const frac = (m[3] ?? '').slice(0, n).padEnd(n, '0')
  const int = m[2] === '' ? '0' : m[2]
  const neg = m[1] === '-' && /[1-9]/.test(int + frac)
  return `${neg ? '-' : ''}${int}${n > 0 ? `.${frac}` : ''}`
}
/** Lossless canonical decimal text for the legacy side: padded to n places when it has at most n. */
function padDecimal(v: Value, n: number): Value {
  if (v === null) return null
  const m = DECIMAL.exec(v.trim())
  if (!m || (m[3] ?? '').length > n) return v
  return truncateDecimal(v, n) ?? v
}
/** Lossless canonical UTC text of a legacy datetime: milliseconds shown only when not zero (or always, for ms). */
function canonicalInstant(v: Value, p: 's' | 'ms'): Value {
  if (v === null || v.trim() === '') return null
  const ms = parseInstant(v)
  if (Number.isNaN(ms)) return v
  const iso = new Date(ms).toISOString()
  return p === 's' && iso.endsWith('.000Z') ? iso.replace(/\.000Z$/, 'Z') : iso
}

interface Built {
  fn: Fn
  /** the legacy side's canonicalization; undefined = the value as it is */
  legacy?: Fn
}

function build(name: string, arg: string | undefined): Built | Fn | {tolerance: number} | 'json' {
  const needArg = (what: string): string => {
    if (arg === undefined || arg === '') throw new NormalizerSpecError(`"${name}" needs an argument: ${what}`)
    return arg
  }
  switch (name) {
    case 'trim':
      return {fn: (v) => (v === null ? v : v.trim())}
    case 'lowercase':
      return {fn: (v) => (v === null ? v : v.toLowerCase())}
    case 'uppercase':
      return {fn: (v) => (v === null ? v : v.toUpperCase())}
    case 'empty-as-null':
      return (v) => (v === null || v.trim() === '' ? null : v) // an equivalence: blank and null are the same on both sides
    case 'null-as-empty':
      return {fn: (v) => (v === null ? '' : v)}
    case 'digits':
      return {fn: (v) => (v === null ? v : v.replace(/[^\d+]/g, ''))}
    case 'case-insensitive':
      return (v) => (v === null ? v : v.toLowerCase())
    case 'truncate': {
      const n = Number(needArg('a length, e.g. truncate:100'))
      if (!Number.isInteger(n) || n <= 0) throw new NormalizerSpecError(`"truncate:${arg}" needs a positive integer length, e.g. truncate:100`)
      return {fn: (v) => (v === null || v.length <= n ? v : [...v].slice(0, n).join(''))} // length ≥ code points
    }
    case 'decimal': {
      const n = Number(needArg('decimal places, e.g. decimal:2'))
      if (!Number.isInteger(n) || n < 0 || n > 12) throw new NormalizerSpecError(`"decimal:${arg}" needs 0..12 decimal places, e.g. decimal:2`)
      return {
        fn: (v) => {
          if (v === null || v.trim() === '') return null
          const x = Number(v)
          return Number.isFinite(x) ? x.toFixed(n) : v
        },
        legacy: (v) => (v === null || v.trim() === '' ? null : padDecimal(v, n)),
      }
    }
    case 'decimal-truncate': {
      const n = Number(needArg('decimal places, e.g. decimal-truncate:2'))
      if (!Number.isInteger(n) || n < 0 || n > 12) throw new NormalizerSpecError(`"decimal-truncate:${arg}" needs 0..12 decimal places, e.g. decimal-truncate:2`)
      return {fn: (v) => (v === null || v.trim() === '' ? null : (truncateDecimal(v, n) ?? v)), legacy: (v) => (v === null || v.trim() === '' ? null : padDecimal(v, n))}
    }
    case 'number':
      return (v) => {
        if (v === null || v.trim() === '') return null
        const x = Number(v)
        return Number.isFinite(x) ? String(x) : v
      }
    case 'datetime': {
      const p = needArg('a precision, datetime:s or datetime:ms')
      if (p !== 's' && p !== 'ms') throw new NormalizerSpecError(`"datetime:${p}" has an unknown precision; use datetime:s or datetime:ms`)
      const fn: Fn = (v) => {
        if (v === null || v.trim() === '') return null
        const m = ISO_PARTS.exec(v) // canonical UTC text: no Date needed
        if (m) return p === 's' ? `${m[1]}Z` : `${m[1]}.${(m[2] ?? '').padEnd(3, '0')}Z`
        const ms = parseInstant(v)
        if (Number.isNaN(ms)) return v
        const iso = new Date(p === 's' ? Math.floor(ms / 1000) * 1000 : ms).toISOString()
        return p === 's' ? iso.replace(/\.\d{3}Z$/, 'Z') : iso
      }
      const whole = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
      return {fn, legacy: p === 's' ? (v) => (v !== null && whole.test(v) ? v : canonicalInstant(v, 's')) : (v) => canonicalInstant(v, 'ms')}
    }
    case 'date': {
      const tz = needArg('a time zone, e.g. date:UTC or date:America/Chicago')
      try {
        dateIn(0, tz)
      } catch {
        throw new NormalizerSpecError(`"date:${tz}" names an unknown time zone; use an IANA name such as UTC or America/Chicago`)
      }
      return {
        fn: (v) => {
          if (v === null || v.trim() === '') return null
          if (/^\d{4}-\d{2}-\d{2}$/.test(v.trim())) return v.trim()
          const ms = parseInstant(v)
          return Number.isNaN(ms) ? v : dateIn(ms, tz)
        },
        legacy: (v) => (v === null || v.trim() === '' ? null : /^\d{4}-\d{2}-\d{2}$/.test(v.trim()) ? v.trim() : v),
      }
    }
    case 'semicolon-set':
      return (v) => {
        if (v === null) return null
        const parts = [
          ...new Set(
            v
              .split(';')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          ),
        ].sort()
        return parts.length === 0 ? null : parts.join(';')
      }
    case 'bool':
      return (v) => {
        if (v === null || v.trim() === '') return null
        const t = v.trim().toLowerCase()
        if (['true', 't', '1', 'yes', 'y'].includes(t)) return 'true'
        if (['false', 'f', '0', 'no', 'n'].includes(t)) return 'false'
        return v
      }
    case 'tolerance': {
      const x = Number(needArg('an absolute tolerance, e.g. tolerance:0.01'))
      if (!Number.isFinite(x) || x < 0) throw new NormalizerSpecError(`"tolerance:${arg}" needs a non-negative number, e.g. tolerance:0.01`)
      return {tolerance: x}
    }
    case 'json':
      return 'json'
    default: {
      const hint = didYouMean(name, NORMALIZER_NAMES)
      throw new NormalizerSpecError(`unknown normalizer "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${NORMALIZER_NAMES.join(', ')}`)
    }
  }
}

function canonicalJson(v: Value): Value {
  if (v === null) return null
  try {
    return JSON.stringify(sortKeys(JSON.parse(v)))
  } catch {
    return v
  }
}
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys)
  if (x && typeof x === 'object')
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
    )
  return x
}

/** The date of an instant in an IANA zone (YYYY-MM-DD). */
export const dateInZone = dateIn

/**
 * Compile a list of normalizer specs (`["trim", "truncate:100"]`) for one side (default `new`: every
 * normalizer applies), then `extra` specs applied in full (a mapping's `normalizeLegacy`/`normalizeNew`);
 * throws NormalizerSpecError.
 */
export function compileNormalizers(specs: readonly string[], side: ChainSide = 'new', extra: readonly string[] = []): FieldComparator {
  const steps: Array<[string, Fn]> = []
  let tolerance: number | undefined
  let toleranceSpec: string | undefined
  let json = false
  const all: Array<[string, ChainSide]> = [...specs.map((x): [string, ChainSide] => [x, side]), ...extra.map((x): [string, ChainSide] => [x, 'new'])]
  for (const [spec, sd] of all) {
    const i = spec.indexOf(':')
    const name = i < 0 ? spec : spec.slice(0, i)
    const arg = i < 0 ? undefined : spec.slice(i + 1)
    const built = build(name, arg)
    if (built === 'json') {
      json = true
      steps.push([spec, canonicalJson])
    } else if (typeof built === 'function') steps.push([spec, built])
    else if ('fn' in built) {
      const f = sd === 'new' ? built.fn : built.legacy
      if (f) steps.push([spec, f])
    } else {
      tolerance = built.tolerance
      toleranceSpec = spec
    }
  }
  const fns = steps.map((x) => x[1])
  return {
    json,
    ...(toleranceSpec ? {toleranceSpec} : {}),
    normalize(raw) {
      let v = toText(raw)
      for (const f of fns) v = f(v)
      return v
    },
    changedBy(raw) {
      let v = toText(raw)
      const out: string[] = []
      for (const [spec, f] of steps) {
        const w = f(v)
        if (w !== v) out.push(spec)
        v = w
      }
      return out
    },
    equal(a, b) {
      if (a === b) return true
      if (tolerance === undefined || a === null || b === null) return false
      const x = Number(a)
      const y = Number(b)
      return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= tolerance + 1e-12
    },
  }
}
