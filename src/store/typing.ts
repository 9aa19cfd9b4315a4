/**
 * Conversion of HubSpot property values (always strings or null) into the typed columns of an
 * entity table. Pure functions; a value that cannot be converted becomes NULL in the typed column
 * (the raw value is always kept in the `properties` JSON).
 */
import type {PropertyType} from '../core/records.js'

/** The column type a property is stored as (see docs/store-schema.md "Typing rules"). */
export type ColumnType = 'decimal' | 'bool' | 'date' | 'datetime' | 'text'

/** Map a HubSpot property type to a column type. Unknown types are kept as text. */
export function columnTypeFor(type: PropertyType | string): ColumnType {
  switch (type) {
    case 'number':
      return 'decimal'
    case 'bool':
      return 'bool'
    case 'date':
      return 'date'
    case 'datetime':
      return 'datetime'
    default:
      return 'text'
  }
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/**
 * Normalize a decimal string exactly (no float conversion): "+001.2500" → "1.25", "1e3" → "1000",
 * "-0.0" → "0", ".5" → "0.5". Returns null for anything that is not a finite decimal number.
 */
export function normalizeDecimal(input: string): string | null {
  const m = DECIMAL.exec(input.trim())
  if (!m) return null
  const [, sign, intRaw = '', fracRaw = '', expRaw] = m
  if (intRaw === '' && fracRaw === '') return null
  let digits = intRaw + fracRaw
  let point = intRaw.length // position of the decimal point inside `digits`
  if (expRaw !== undefined) {
    const exp = Number(expRaw)
    if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return null
    point += exp
  }
  if (point < 0) {
    digits = '0'.repeat(-point) + digits
    point = 0
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length)
  }
  const intPart = digits.slice(0, point).replace(/^0+/, '') || '0'
  const fracPart = digits.slice(point).replace(/0+$/, '')
  const body = fracPart ? `${intPart}.${fracPart}` : intPart
  return sign === '-' && body !== '0' ? `-${body}` : body
}

/** "true"/"false" (any case), "1"/"0", "yes"/"no" → 1/0; anything else → null. */
export function toBool(input: string): 0 | 1 | null {
  const v = input.trim().toLowerCase()
  if (v === 'true' || v === '1' || v === 'yes') return 1
  if (v === 'false' || v === '0' || v === 'no') return 0
  return null
}

const EPOCH_MS = /^-?\d{1,16}$/

function parseInstant(input: string): Date | null {
  const v = input.trim()
  if (v === '') return null
  const d = EPOCH_MS.test(v) ? new Date(Number(v)) : new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

const CANONICAL_ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/

/** Epoch-ms string or ISO 8601 → ISO UTC with milliseconds ("2019-10-31T00:00:00.000Z"); else null. */
export function toDatetime(input: string): string | null {
  if (CANONICAL_ISO.test(input) && input.slice(8, 10) <= '28') return input // already canonical (fast path)
  return parseInstant(input)?.toISOString() ?? null
}

/** "YYYY-MM-DD" (kept as is), epoch-ms or ISO datetime → the UTC calendar date "YYYY-MM-DD"; else null. */
export function toDate(input: string): string | null {
  const v = input.trim()
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? null : v
  return parseInstant(v)?.toISOString().slice(0, 10) ?? null
}

/** Convert one raw property value into what its typed column holds. */
export function toColumnValue(type: ColumnType, raw: string | null | undefined): string | number | null {
  if (raw === null || raw === undefined) return null
  if (typeof raw !== 'string') raw = String(raw)
  switch (type) {
    case 'decimal':
      return normalizeDecimal(raw)
    case 'bool':
      return toBool(raw)
    case 'date':
      return toDate(raw)
    case 'datetime':
      return toDatetime(raw)
    default:
      return raw
  }
}
