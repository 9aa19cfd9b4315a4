/**
 * The change feed (ChangeFeed) and publish cursors (PublishCursors) of the PostgreSQL store, with
 * the SQLite store's meaning (../changes.ts); how the sequence is assigned: ./change-seq.ts.
 */
import type {ChangedRecordRow} from '../../core/store-port.js'
import {compareIds} from '../../core/ids.js'
import {quoteIdent} from '../identifiers.js'
import {SAFE_MARK_SQL} from './change-seq.js'
import type {PgEntityTable} from './entity-table.js'
import type {PgSession} from './session.js'

const COLUMNS = 'id, created_at, updated_at, archived::int AS archived, archived_at, properties_text AS properties, merged_into, seq'

/** The sequence a publish may save as its cursor: every change up to it is committed. */
export async function pgChangeSeq(session: PgSession): Promise<number> {
  return Math.max(0, (await session.query<{seq: number}>(SAFE_MARK_SQL)).rows[0].seq)
}

/**
 * Rows of an entity changed after `sinceSeq` (-1: every row, merged losers and tombstones
 * included), plus the records whose edges with `edgesWith` changed or were removed after it, in id
 * order, streamed through a server-side cursor (bounded memory).
 */
export async function* pgChangedRecords(session: PgSession, t: PgEntityTable, sinceSeq: number, edgesWith: string[] = []): AsyncGenerator<ChangedRecordRow> {
  const table = quoteIdent(t.table)
  if (sinceSeq < 0) {
    for await (const rows of session.cursor<ChangedRecordRow>(`SELECT ${COLUMNS} FROM ${table} ORDER BY length(id), id`)) yield* rows
    return
  }
  // the changed ids first (the seq indexes), then their rows by primary key
  const sql = `SELECT ${COLUMNS} FROM ${table} WHERE id IN (
      SELECT id FROM ${table} WHERE seq > $1
      UNION SELECT from_id FROM associations WHERE seq > $1 AND from_entity = $2 AND to_entity = ANY($3::text[])
      UNION SELECT to_id FROM associations WHERE seq > $1 AND to_entity = $2 AND from_entity = ANY($3::text[])
      UNION SELECT from_id FROM edge_tombstones WHERE seq > $1 AND from_entity = $2 AND to_entity = ANY($3::text[])
      UNION SELECT to_id FROM edge_tombstones WHERE seq > $1 AND to_entity = $2 AND from_entity = ANY($3::text[]))
    ORDER BY length(id), id`
  for await (const rows of session.cursor<ChangedRecordRow>(sql, [sinceSeq, t.entity, edgesWith])) yield* rows
}

/** For each id, the ids of `other` it has an edge with (either direction), sorted in id order. */
export async function pgRelatedIds(session: PgSession, entity: string, ids: string[], other: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  for (const id of ids) out.set(id, [])
  if (ids.length === 0) return out
  const r = await session.query<{id: string; other: string}>(
    `SELECT from_id AS id, to_id AS other FROM associations WHERE from_entity = $1 AND to_entity = $2 AND from_id = ANY($3::text[])
     UNION SELECT to_id AS id, from_id AS other FROM associations WHERE to_entity = $1 AND from_entity = $2 AND to_id = ANY($3::text[])`,
    [entity, other, ids],
  )
  for (const row of r.rows) out.get(row.id)?.push(row.other)
  for (const list of out.values()) list.sort(compareIds)
  return out
}

/** The publish cursor saved for `target`, or null: none saved, or one below what tombstones were pruned through (./tombstones.ts). */
export async function pgPublishCursor(session: PgSession, target: string): Promise<number | null> {
  const r = await session.query<{seq: number; pruned: number}>('SELECT c.seq, p.through_seq AS pruned FROM publish_cursors c, tombstones_pruned p WHERE c.target = $1', [target])
  const row = r.rows[0]
  return row === undefined || row.seq < row.pruned ? null : row.seq
}

/** Save the publish cursor of `target`. */
export async function pgSavePublishCursor(session: PgSession, target: string, seq: number): Promise<void> {
  await session.query('INSERT INTO publish_cursors (target, seq, updated_at) VALUES ($1, $2, now()) ON CONFLICT (target) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at', [
    target,
    seq,
  ])
}
