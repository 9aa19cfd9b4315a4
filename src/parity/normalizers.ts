/**
 * Normalizers: small pure functions, named in the mapping file as strings (`trim`, `truncate:100`,
 * `datetime:s`, ...), that bring a legacy value and a HubSpot property value to one canonical
 * string (or null) so that equal data compares equal. `tolerance:X` changes the comparison instead.
 */
import {didYouMean} from './did-you-mean.js'

export type Value = string | null
type Fn = (v: Value) => Value

/** A compiled normalizer chain plus the comparison it implies. */
export interface FieldComparator {
  normalize(raw: unknown): Value
  equal(a: Value, b: Value): boolean
  /** true when values are JSON documents (deep-diff paths are reported) */
  json: boolean
}

export const NORMALIZER_NAMES = ['trim', 'lowercase', 'uppercase', 'truncate', 'empty-as-null', 'decimal', 'datetime', 'date', 'semicolon-set', 'tolerance', 'bool', 'number', 'json'] as const

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

function build(name: string, arg: string | undefined): Fn | {tolerance: number} | 'json' {
  const needArg = (what: string): string => {
    if (arg === undefined || arg === '') throw new NormalizerSpecError(`"${name}" needs an argument: ${what}`)
    return arg
  }
  switch (name) {
    case 'trim':
      return (v) => (v === null ? v : v.trim())
    case 'lowercase':
      return (v) => (v === null ? v : v.toLowerCase())
    case 'uppercase':
      return (v) => (v === null ? v : v.toUpperCase())
    case 'empty-as-null':
      return (v) => (v === null || v.trim() === '' ? null : v)
    case 'truncate': {
      const n = Number(needArg('a length, e.g. truncate:100'))
      if (!Number.isInteger(n) || n <= 0) throw new NormalizerSpecError(`"truncate:${arg}" needs a positive integer length, e.g. truncate:100`)
      return (v) => (v === null || v.length <= n ? v : [...v].slice(0, n).join('')) // length ≥ code points
    }
    case 'decimal': {
      const n = Number(needArg('decimal places, e.g. decimal:2'))
      if (!Number.isInteger(n) || n < 0 || n > 12) throw new NormalizerSpecError(`"decimal:${arg}" needs 0..12 decimal places, e.g. decimal:2`)
      return (v) => {
        if (v === null || v.trim() === '') return v === null ? null : null
        const x = Number(v)
        return Number.isFinite(x) ? x.toFixed(n) : v
      }
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
      return (v) => {
        if (v === null || v.trim() === '') return null
        const m = ISO_PARTS.exec(v) // canonical UTC text: no Date needed
        if (m) return p === 's' ? `${m[1]}Z` : `${m[1]}.${(m[2] ?? '').padEnd(3, '0')}Z`
        const ms = parseInstant(v)
        if (Number.isNaN(ms)) return v
        const iso = new Date(p === 's' ? Math.floor(ms / 1000) * 1000 : ms).toISOString()
        return p === 's' ? iso.replace(/\.\d{3}Z$/, 'Z') : iso
      }
    }
    case 'date': {
      const tz = needArg('a time zone, e.g. date:UTC or date:America/Chicago')
      try {
        dateIn(0, tz)
      } catch {
        throw new NormalizerSpecError(`"date:${tz}" names an unknown time zone; use an IANA name such as UTC or America/Chicago`)
      }
      return (v) => {
        if (v === null || v.trim() === '') return null
        if (/^\d{4}-\d{2}-\d{2}$/.test(v.trim())) return v.trim()
        const ms = parseInstant(v)
        return Number.isNaN(ms) ? v : dateIn(ms, tz)
      }
    }
    case 'semicolon-set':
      return (v) => {
        if (v === null) return null
        const parts = [...new Set(v.split(';').map((s) => s.trim()).filter((s) => s !== ''))].sort()
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
  if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]))
  return x
}

/** Compile a list of normalizer specs (`["trim", "truncate:100"]`); throws NormalizerSpecError. */
export function compileNormalizers(specs: readonly string[]): FieldComparator {
  const fns: Fn[] = []
  let tolerance: number | undefined
  let json = false
  for (const spec of specs) {
    const i = spec.indexOf(':')
    const name = i < 0 ? spec : spec.slice(0, i)
    const arg = i < 0 ? undefined : spec.slice(i + 1)
    const built = build(name, arg)
    if (built === 'json') {
      json = true
      fns.push(canonicalJson)
    } else if (typeof built === 'function') fns.push(built)
    else tolerance = built.tolerance
  }
  return {
    json,
    normalize(raw) {
      let v = toText(raw)
      for (const f of fns) v = f(v)
      return v
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
