/**
 * Programmatic reads of a store in id order, streamed: the records of an entity (HubSpot-shaped,
 * tombstones included) and the association edges. The parity harness reads the new side with these.
 */
import {UsageError} from '../core/errors.js'
import type {CrmRecord} from '../core/records.js'
import type {AssociationEdge, IterateOptions, StoredRecordRow} from '../core/store-port.js'
import {listEntities} from './entity-table.js'
import {quoteIdent} from './identifiers.js'
import type {SqliteHandle} from './sqlite-handle.js'

/** The pseudo-entity name under which association edges are exported. */
export const ASSOCIATIONS_ENTITY = 'associations'

/** The store's table for `entity`, or a UsageError (exit 2) listing the valid names. */
export function requireEntityTable(store: SqliteHandle, entity: string): string {
  const t = store.table(entity)
  if (!t) {
    const valid = [...listEntities(store.db), ASSOCIATIONS_ENTITY]
    throw new UsageError(
      `unknown entity "${entity}" in store ${store.path}; valid: ${valid.join(', ')}`,
      `use one of ${valid.join(', ')}, or run \`crmsync sync ${entity}\` first if it is a configured object`,
      'UNKNOWN_ENTITY',
    )
  }
  return t.table
}

/** Raw rows of an entity in id order (length, then text); merged-away losers are never included. */
export function* iterateRawRecords(store: SqliteHandle, entity: string, options: IterateOptions = {}): IterableIterator<StoredRecordRow> {
  const table = requireEntityTable(store, entity)
  const where = options.includeArchived === false ? 'merged_into IS NULL AND archived = 0' : 'merged_into IS NULL'
  const stmt = store.db.prepare(`SELECT id, created_at, updated_at, archived, archived_at, properties FROM ${quoteIdent(table)} WHERE ${where} ORDER BY length(id), id`)
  yield* stmt.iterate() as IterableIterator<StoredRecordRow>
}

/** Turn a stored row back into the record HubSpot returned. */
export function rowToRecord(row: StoredRecordRow): CrmRecord {
  const rec: CrmRecord = {
    id: row.id,
    properties: JSON.parse(row.properties) as Record<string, string | null>,
    createdAt: row.created_at ?? '',
    updatedAt: row.updated_at ?? '',
    archived: row.archived === 1,
  }
  if (row.archived === 1 && row.archived_at !== null) rec.archivedAt = row.archived_at
  return rec
}

/** HubSpot-shaped records of an entity in id order, tombstones included (archived: true) unless excluded. */
export function* iterateRecords(store: SqliteHandle, entity: string, options: IterateOptions = {}): IterableIterator<CrmRecord> {
  for (const row of iterateRawRecords(store, entity, options)) yield rowToRecord(row)
}

/** Every association edge, ordered by from entity, from id, to entity, to id, category, type id. */
export function* iterateAssociations(store: SqliteHandle, filter: {fromEntity?: string; toEntity?: string} = {}): IterableIterator<AssociationEdge> {
  const stmt = store.db.prepare(
    `SELECT from_entity AS fromEntity, from_id AS fromId, to_entity AS toEntity, to_id AS toId, type_id AS typeId, category, label
     FROM associations
     WHERE (@from IS NULL OR from_entity = @from) AND (@to IS NULL OR to_entity = @to)
     ORDER BY from_entity, length(from_id), from_id, to_entity, length(to_id), to_id, category, type_id`,
  )
  yield* stmt.iterate({from: filter.fromEntity ?? null, to: filter.toEntity ?? null}) as IterableIterator<AssociationEdge>
}

/** Property names of an entity for CSV headers: mapped properties plus every key in the stored JSON, sorted. */
export function propertyNames(store: SqliteHandle, entity: string): string[] {
  const table = requireEntityTable(store, entity)
  const names = new Set<string>()
  for (const c of store.table(entity)!.columns) names.add(c.property)
  const keys = store.db.prepare(`SELECT DISTINCT j.key FROM ${quoteIdent(table)} AS t, json_each(t.properties) AS j WHERE t.merged_into IS NULL`).pluck()
  for (const k of keys.iterate() as IterableIterator<string>) names.add(k)
  return [...names].sort()
}
