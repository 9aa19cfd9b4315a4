/**
 * Typed column values for PostgreSQL: the SQLite conversion (../typing.ts), then what a PostgreSQL
 * type cannot hold becomes NULL like any other unconvertible value (the raw value stays in the
 * properties): a NUL character in text, a calendar date that does not exist ("2024-02-30"), a year
 * outside 0001-9999, a decimal of more than 100,000 characters.
 */
import {toColumnValue, type ColumnType} from '../typing.js'

/** The PostgreSQL type of each column type. */
export const PG_TYPES: Record<ColumnType, string> = {decimal: 'numeric', bool: 'boolean', date: 'date', datetime: 'timestamptz', text: 'text'}

const DATE = /^(\d{4})-\d{2}-\d{2}$/
const DATETIME = /^(\d{4})-\d{2}-\d{2}T/

/** What the typed column of `type` holds for a raw property value, as a pg parameter. */
export function pgColumnValue(type: ColumnType, raw: unknown): string | boolean | null {
  if (type === 'text') {
    if (raw === null || raw === undefined) return null
    const s = typeof raw === 'string' ? raw : String(raw)
    return s.includes('\0') ? null : s
  }
  const v = toColumnValue(type, raw as string | null | undefined)
  if (v === null) return null
  switch (type) {
    case 'bool':
      return v === 1
    case 'decimal':
      return (v as string).length > 100_000 ? null : (v as string)
    case 'date': {
      const m = DATE.exec(v as string)
      if (!m || m[1] === '0000' || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) return null
      return v as string
    }
    case 'datetime': {
      const m = DATETIME.exec(v as string)
      return m && m[1] !== '0000' ? (v as string) : null
    }
  }
  return null
}

/** False when PostgreSQL's jsonb cannot hold the JSON text (a \u0000 or a lone surrogate escape): its jsonb copy is then NULL. */
export function jsonbHolds(json: string): boolean {
  return !/\\u(0000|d[89a-f])/i.test(json)
}
