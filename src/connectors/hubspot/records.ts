/** Pure conversions of raw HubSpot payloads into stored records; they throw on a record that cannot be stored. */
import type {KeysetPosition} from '../../core/connector.js'
import {parseTimestamp} from '../../core/timestamps.js'
import type {CrmRecord} from '../../core/records.js'

const DIGITS = /^\d+$/

/** Validate and normalise one raw CRM object (list, search or batch read shape). */
export function toHubSpotRecord(raw: unknown): CrmRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('record is not a JSON object')
  const r = raw as Record<string, unknown>
  if (typeof r.id !== 'string' || !DIGITS.test(r.id)) throw new Error(`record id ${JSON.stringify(r.id)} is not a string of digits`)
  const props = r.properties
  if (!props || typeof props !== 'object' || Array.isArray(props)) throw new Error(`record ${r.id} has no properties object`)
  const properties = stringProperties(props as Record<string, unknown>, r.id)
  const createdAt = isoOrThrow(r.createdAt, 'createdAt', r.id)
  const updatedAt = isoOrThrow(r.updatedAt, 'updatedAt', r.id)
  const archived = r.archived === true
  const rec: CrmRecord = {id: r.id, properties, createdAt, updatedAt, archived}
  if (archived && typeof r.archivedAt === 'string') rec.archivedAt = isoOrThrow(r.archivedAt, 'archivedAt', r.id)
  return rec
}

/**
 * The properties as strings or null. The usual answer (every value a string or null) is used as it
 * is, without a copy: one object less per record on the sync's hottest path.
 */
function stringProperties(props: Record<string, unknown>, id: string): Record<string, string | null> {
  for (const k in props) {
    const v = props[k]
    if (v !== null && typeof v !== 'string') return copyProperties(props, id)
  }
  return props as Record<string, string | null>
}

function copyProperties(props: Record<string, unknown>, id: string): Record<string, string | null> {
  // Object.fromEntries defines each key as data, so a property named "__proto__" stays a property
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => {
      if (v === null || v === undefined) return [k, null]
      if (typeof v === 'string') return [k, v]
      if (typeof v === 'number' || typeof v === 'boolean') return [k, String(v)]
      throw new Error(`record ${id} property ${JSON.stringify(k)} is neither a string nor null`)
    }),
  )
}

function isoOrThrow(v: unknown, field: string, id: string): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new Error(`record ${id} has an invalid ${field}: ${JSON.stringify(v)}`)
  return v
}

/** Ids merged into a record, from its `hs_merged_object_ids` ("a;b;c"). */
export function mergedObjectIds(rec: CrmRecord): string[] {
  const v = rec.properties.hs_merged_object_ids
  if (!v) return []
  return v
    .split(';')
    .map((s) => s.trim())
    .filter((s) => DIGITS.test(s))
}

/** The (modified, id) key of a raw result, read leniently so that an invalid record still advances the keyset; HubSpot ids are digit strings. */
export function recordKey(raw: unknown, replicationKey: string): KeysetPosition | null {
  if (!raw || typeof raw !== 'object') return null
  const r = raw as {id?: unknown; properties?: Record<string, unknown>; updatedAt?: unknown}
  if (typeof r.id !== 'string' || !DIGITS.test(r.id)) return null
  const ts = parseTimestamp(r.properties?.[replicationKey]) ?? parseTimestamp(r.updatedAt)
  return ts === null ? null : {ts, id: r.id}
}
