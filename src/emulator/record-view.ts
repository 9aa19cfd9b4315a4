/** Turns stored rows into API records with HubSpot's property selection rules. */
import type {CrmRecord} from '../core/records.js'
import {ApiError} from './errors.js'
import type {EntityInfo} from './object-types.js'

/** Stored columns needed to render a record. */
export interface RenderableRow {
  id: string
  archived: number
  created_at: string
  updated_at: string
  archived_at: string | null
  props: string
}

/**
 * The requested property names from a query string: `properties=a,b` and repeated `properties=` both
 * work. null when none were requested (the object's default properties are returned). Names are
 * never trimmed, and a name that itself contains a comma is kept whole when the object type defines
 * it (a value or a run of comma-separated pieces equal to a defined name is that one name).
 */
export function queryProperties(params: URLSearchParams, e?: EntityInfo): string[] | null {
  const known = (n: string): boolean => e !== undefined && e.propTypes.has(n)
  const names: string[] = []
  for (const value of params.getAll('properties')) {
    if (known(value)) {
      names.push(value)
      continue
    }
    const pieces = value.split(',')
    for (let i = 0; i < pieces.length; i++) {
      let j = pieces.length
      // the longest run of pieces that forms a defined name (names with commas); else one piece
      while (j > i + 1 && !known(pieces.slice(i, j).join(','))) j--
      const name = pieces.slice(i, j).join(',')
      if (name.length > 0) names.push(name)
      i = j - 1
    }
  }
  return names.length > 0 ? names : null
}

/** Property names from a JSON body (`properties: string[]`); null when absent or empty. */
export function bodyProperties(v: unknown): string[] | null {
  if (v === undefined || v === null) return null
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ApiError(400, 'Invalid input JSON: "properties" must be an array of property names', 'VALIDATION_ERROR')
  return v.length > 0 ? (v as string[]) : null
}

/**
 * Picks the wanted properties that the record has (a property stored as null comes back as null;
 * one the record never had is left out, so a snapshot round-trips exactly).
 */
export function render(row: RenderableRow, e: EntityInfo, wanted: string[] | null): CrmRecord {
  const all = JSON.parse(row.props) as Record<string, string | null>
  const names = wanted ?? e.defaultProperties
  // null prototype: a property named __proto__ (or constructor...) is data like any other
  const properties: Record<string, string | null> = Object.create(null)
  for (const n of names) if (Object.prototype.hasOwnProperty.call(all, n)) properties[n] = all[n]
  const out: CrmRecord = {id: row.id, properties, createdAt: row.created_at, updatedAt: row.updated_at, archived: row.archived === 1}
  if (row.archived === 1 && row.archived_at) out.archivedAt = row.archived_at
  return out
}

/** Parses an integer query/body parameter within [min, max] or answers HubSpot's 400. */
export function intParam(raw: unknown, name: string, dflt: number, min: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return dflt
  const n = typeof raw === 'number' ? raw : Number(raw)
  if (!Number.isInteger(n)) throw new ApiError(400, `Invalid ${name}: ${String(raw)} is not an integer`, 'VALIDATION_ERROR')
  if (n < min || n > max) throw new ApiError(400, `Invalid ${name}: ${n}; it must be between ${min} and ${max}`, 'VALIDATION_ERROR')
  return n
}

/** A JSON path for a property name, or a 400 when the name could not be a HubSpot property. */
export function jsonPath(name: string): string {
  if (!/^[A-Za-z0-9_\-.:]{1,200}$/.test(name)) throw new ApiError(400, `Invalid property name: ${JSON.stringify(name.slice(0, 80))}`, 'VALIDATION_ERROR')
  return `$."${name}"`
}
