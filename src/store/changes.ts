/**
 * Change-sequence reads for publish (StoreReader.changeSeq / changedRecords / relatedIds) and the
 * publish cursors (PublishCursors), on the SQLite store; pruning the edge tombstones: ./tombstones.ts.
 */
import type {ChangedRecordRow} from '../core/store-port.js'
import {compareIds} from '../core/ids.js'
import {quoteIdent} from './identifiers.js'
import {requireEntityTable} from './read.js'
import type {SqliteHandle} from './sqlite-handle.js'
import {prunedThrough} from './tombstones.js'

/**
 * Rows of an entity changed after `sinceSeq` (or whose edges with `edgesWith` changed), in id order,
 * read through a separate connection so the caller may query the store (relatedIds) while it iterates.
 */
export function* changedRecords(store: SqliteHandle, entity: string, sinceSeq: number, edgesWith: string[] = []): IterableIterator<ChangedRecordRow> {
  const table = quoteIdent(requireEntityTable(store, entity))
  const cols = 'id, created_at, updated_at, archived, archived_at, properties, merged_into, seq'
  const reader = store.openReader()
  try {
    if (sinceSeq < 0) {
      yield* reader.db.prepare(`SELECT ${cols} FROM ${table} ORDER BY length(id), id`).iterate() as IterableIterator<ChangedRecordRow>
      return
    }
    const sql = `SELECT ${cols} FROM ${table} WHERE seq > @since OR id IN (
        SELECT from_id FROM associations WHERE seq > @since AND from_entity = @entity AND to_entity IN (SELECT value FROM json_each(@others))
        UNION SELECT to_id FROM associations WHERE seq > @since AND to_entity = @entity AND from_entity IN (SELECT value FROM json_each(@others))
        UNION SELECT from_id FROM edge_tombstones WHERE seq > @since AND from_entity = @entity AND to_entity IN (SELECT value FROM json_each(@others))
        UNION SELECT to_id FROM edge_tombstones WHERE seq > @since AND to_entity = @entity AND from_entity IN (SELECT value FROM json_each(@others)))
      ORDER BY length(id), id`
    yield* reader.db.prepare(sql).iterate({since: sinceSeq, entity, others: JSON.stringify(edgesWith)}) as IterableIterator<ChangedRecordRow>
  } finally {
    reader.release()
  }
}

/** For each id, the ids of `other` it has an edge with (either direction), sorted in id order. */
export function relatedIds(store: SqliteHandle, entity: string, ids: string[], other: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const id of ids) out.set(id, [])
  const json = JSON.stringify(ids)
  const rows = store.db
    .prepare(
      `SELECT from_id AS id, to_id AS other FROM associations WHERE from_entity = @entity AND to_entity = @other AND from_id IN (SELECT value FROM json_each(@ids))
       UNION SELECT to_id AS id, from_id AS other FROM associations WHERE to_entity = @entity AND from_entity = @other AND to_id IN (SELECT value FROM json_each(@ids))`,
    )
    .all({entity, other, ids: json}) as Array<{id: string; other: string}>
  for (const r of rows) out.get(r.id)?.push(r.other)
  for (const list of out.values()) list.sort(compareIds)
  return out
}

/**
 * The publish cursor saved for `target`, or null: none saved, or one below what tombstones were
 * pruned through (./tombstones.ts), which an incremental publish could no longer be exact from.
 */
export function publishCursor(store: SqliteHandle, target: string): number | null {
  const seq = store.db.prepare('SELECT seq FROM publish_cursors WHERE target = ?').pluck().get(target) as number | undefined
  return seq === undefined || seq < prunedThrough(store.db) ? null : seq
}

/** Save the publish cursor of `target`. */
export function savePublishCursor(store: SqliteHandle, target: string, seq: number): void {
  store.db
    .prepare('INSERT INTO publish_cursors (target, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (target) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at')
    .run(target, seq, new Date().toISOString())
}
