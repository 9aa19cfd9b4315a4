/**
 * Deterministic NDJSON lines for records and association rows: fixed top-level key order and
 * property keys sorted, so the same input always gives byte-identical files.
 */
import {CrmsyncError} from '../core/errors.js'
import type {AssociationRow, AssociationType, CrmRecord} from '../core/records.js'

const CATEGORIES = new Set(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED'])

/** Returns `props` with keys in sorted order (the same object when already sorted); checks value types. */
function sortedProperties(entity: string, id: string, props: Record<string, string | null>): Record<string, string | null> {
  if (props === null || typeof props !== 'object') throw new CrmsyncError(`Record ${entity}/${id} has no properties object.`)
  let sorted = true
  let prev = ''
  let first = true
  for (const k in props) {
    const v = props[k]
    if (v !== null && typeof v !== 'string') throw new CrmsyncError(`Property ${k} of ${entity}/${id} is ${typeof v}: HubSpot values are strings or null.`)
    if (!first && k <= prev) sorted = false
    prev = k
    first = false
  }
  if (sorted) return props
  const out: Record<string, string | null> = {}
  for (const k of Object.keys(props).sort()) out[k] = props[k]
  return out
}

/** One NDJSON line (no newline) for a record, in the API's shape. */
export function recordLine(entity: string, r: CrmRecord): string {
  if (typeof r.createdAt !== 'string' || typeof r.updatedAt !== 'string') throw new CrmsyncError(`Record ${entity}/${r.id} needs createdAt and updatedAt ISO strings.`)
  if (typeof r.archived !== 'boolean') throw new CrmsyncError(`Record ${entity}/${r.id} needs a boolean archived flag.`)
  const out: CrmRecord = {id: r.id, properties: sortedProperties(entity, r.id, r.properties), createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived}
  if (r.archivedAt !== undefined && r.archivedAt !== null) out.archivedAt = r.archivedAt
  return JSON.stringify(out)
}

function sortedTypes(row: AssociationRow): AssociationType[] {
  if (!Array.isArray(row.types) || row.types.length === 0) throw new CrmsyncError(`Association ${row.fromType}/${row.fromId}→${row.toType}/${row.toId} has no types.`)
  const types = row.types.map((t) => {
    if (!CATEGORIES.has(t.category) || !Number.isInteger(t.typeId))
      throw new CrmsyncError(`Association ${row.fromType}/${row.fromId}→${row.toType}/${row.toId} has an invalid type ${JSON.stringify(t)}.`)
    return {category: t.category, typeId: t.typeId, label: t.label ?? null}
  })
  types.sort((a, b) => a.typeId - b.typeId || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0))
  for (let i = 1; i < types.length; i++) {
    if (types[i].typeId === types[i - 1].typeId && types[i].category === types[i - 1].category)
      throw new CrmsyncError(`Association ${row.fromType}/${row.fromId}→${row.toType}/${row.toId} lists type ${types[i].typeId} twice.`)
  }
  return types
}

/** One NDJSON line (no newline) for an association row, types sorted by typeId. */
export function associationRowLine(row: AssociationRow): string {
  return JSON.stringify({fromType: row.fromType, fromId: row.fromId, toType: row.toType, toId: row.toId, types: sortedTypes(row)})
}
