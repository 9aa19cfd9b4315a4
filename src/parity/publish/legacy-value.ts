/**
 * The mapping's normalizers as write transforms: a store value becomes the legacy representation
 * (trimmed lowercase email, names cut to 100, whole-second timestamps, two-decimal amounts, calendar
 * dates in a zone, missing text as ""). Everything publish does to a field value is behind
 * `toLegacyValue`, so directional normalizers can replace the chain in one place.
 */
import type {FieldComparator} from '../normalizers.js'
import {parseInstant, toText} from '../normalizers.js'
import type {FieldMapping} from '../mapping/schema.js'
import type {ColumnFamily, ColumnInfo} from './target.js'

/** The column family a mapped field needs, from its normalizers. */
export function fieldFamily(fm: FieldMapping): ColumnFamily {
  const names = [...fm.normalize, ...(fm.normalizeNew ?? [])].map((s) => s.split(':')[0])
  if (names.includes('datetime')) return 'timestamp'
  if (names.includes('date')) return 'date'
  if (names.includes('decimal') || names.includes('number')) return 'numeric'
  if (names.includes('bool')) return 'boolean'
  return 'text'
}

/** Column families that can hold a value of `need` without losing it. */
export const COMPATIBLE: Record<ColumnFamily, ColumnFamily[]> = {
  text: ['text'],
  timestamp: ['timestamp', 'text'],
  date: ['date', 'text'],
  numeric: ['numeric', 'text'],
  boolean: ['boolean', 'integer', 'text'],
  integer: ['integer'],
  other: [],
}

function valid(family: ColumnFamily, v: string): boolean {
  switch (family) {
    case 'timestamp':
      return !Number.isNaN(parseInstant(v))
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))
    case 'numeric':
    case 'integer':
      return v.trim() !== '' && Number.isFinite(Number(v))
    case 'boolean':
      return v === 'true' || v === 'false'
    default:
      return true
  }
}

/**
 * The legacy form of one field value: the new-side normalizer chain of the mapping, then missing
 * text as "" in a NOT NULL text column (Django's CharField convention). A value a typed column
 * cannot hold (an unparsable date, a non-number amount) becomes null and is counted by the caller.
 */
export function toLegacyValue(cmp: FieldComparator, column: ColumnInfo, raw: unknown): {value: string | null; rejected: boolean} {
  let v = cmp.normalize(raw)
  let rejected = false
  if (v !== null && column.family !== 'text' && !valid(column.family === 'integer' ? 'boolean' : column.family, v)) {
    // an integer column only holds a bool here (COMPATIBLE); anything else is rejected
    v = null
    rejected = true
  }
  if (v === null && column.notNull && column.family === 'text') v = ''
  return {value: v, rejected}
}

/** Does the target's current value (as its driver returned it) equal the legacy text `want`? */
export function sameValue(family: ColumnFamily, current: unknown, want: string | null): boolean {
  const have = current instanceof Date ? current.toISOString() : toText(current)
  if (have === null || want === null) return have === want
  if (have === want) return true
  switch (family) {
    case 'timestamp':
      return parseInstant(have) === parseInstant(want)
    case 'date':
      return have.slice(0, 10) === want
    case 'numeric':
      return Number(have) === Number(want)
    case 'boolean':
    case 'integer': {
      const b = (x: string): string => (['1', 't', 'true'].includes(x.toLowerCase()) ? 'true' : ['0', 'f', 'false'].includes(x.toLowerCase()) ? 'false' : x)
      return b(have) === b(want)
    }
    default:
      return false
  }
}
