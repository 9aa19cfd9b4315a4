/**
 * Decide what writing a record does to the stored row: insert, update, tombstone (delete) or nothing.
 */
import type {CrmRecord} from '../core/records.js'
import type {StoredRow} from './entity-table.js'

/** The outcome of writing one record. */
export type RecordOutcome = 'inserted' | 'updated' | 'unchanged' | 'deleted'

/** True when two property maps hold the same names and values, whatever their key order. */
export function samePropertyMaps(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false
  }
  return true
}

function sameProperties(stored: string, json: string, props: Record<string, unknown>): boolean {
  if (stored === json) return true
  return samePropertyMaps(JSON.parse(stored) as Record<string, unknown>, props)
}

/**
 * Classify a record against the stored row. Archived records become tombstones: `deleted` unless
 * the row already is the same tombstone. `archivedAt` falls back to the stored archived time.
 * A row merged into another record stays merged: the record is `unchanged` (and not written).
 */
export function classifyRecord(existing: StoredRow | undefined, rec: CrmRecord, json: string): RecordOutcome {
  // HubSpot never revives a merged-away id: a record for one is a stale search hit, ignored
  if (existing && existing.merged_into !== null) return 'unchanged'
  if (rec.archived) {
    if (
      existing &&
      existing.archived === 1 &&
      existing.merged_into === null &&
      existing.archived_at === (rec.archivedAt ?? existing.archived_at) &&
      existing.updated_at === rec.updatedAt &&
      existing.created_at === rec.createdAt &&
      sameProperties(existing.properties, json, rec.properties)
    )
      return 'unchanged'
    return 'deleted'
  }
  if (!existing) return 'inserted'
  if (
    existing.archived === 0 &&
    existing.merged_into === null &&
    existing.updated_at === rec.updatedAt &&
    existing.created_at === rec.createdAt &&
    sameProperties(existing.properties, json, rec.properties)
  )
    return 'unchanged'
  return 'updated'
}
