/**
 * Records and merges of one page into a PostgreSQL entity table, set-wise: one SELECT of the stored
 * rows of the page, the same classification as SQLite (../record-compare.ts) in page order, one
 * upsert of every changed row through unnest, one DELETE of the edges of tombstoned or merged ids.
 * Runs inside the caller's transaction.
 *
 * Insert-first (a first load, as the SQLite store's `insertFirst`): while a table is known to have
 * been empty, a page of new ids is ONE statement, its own transaction: insert every row (and drop
 * the edges of its tombstones) and save the checkpoint, only if none of its ids is stored yet;
 * else it changes nothing and the page takes the path above. One round trip instead of five or
 * six (BEGIN, SELECT, upsert, edge DELETE, checkpoint, COMMIT) and no SELECT of stored rows.
 */
import type {CrmRecord} from '../../core/records.js'
import type {PageCounts} from '../../core/store-port.js'
import type {StoredRow} from '../entity-table.js'
import {classifyRecord} from '../record-compare.js'
import {checkpointCte, type PgEntityTable} from './entity-table.js'
import {quoteIdent} from '../identifiers.js'
import type {Sql} from './session.js'
import {jsonbHolds, pgColumnValue} from './typing.js'

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

const zero = (): PageCounts => ({inserted: 0, updated: 0, unchanged: 0, deleted: 0})

async function storedRows(sql: Sql, t: PgEntityTable, ids: string[]): Promise<Map<string, StoredRow>> {
  const r = await sql.query<StoredRow & {id: string}>(
    `SELECT id, created_at, updated_at, archived::int AS archived, archived_at, merged_into, properties_text AS properties FROM ${quoteIdent(t.table)} WHERE id = ANY($1::text[])`,
    [ids],
  )
  return new Map(r.rows.map((row) => [row.id, row]))
}

/** Delete every edge from or to one of `ids` of `entity`. */
export async function dropEdgesOf(sql: Sql, entity: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await sql.query('DELETE FROM associations WHERE (from_entity = $1 AND from_id = ANY($2::text[])) OR (to_entity = $1 AND to_id = ANY($2::text[]))', [entity, ids])
}

/** Write rows (one array of values per row, in the table's column order) with the table's upsert. */
async function upsertRows(sql: Sql, t: PgEntityTable, rows: unknown[][]): Promise<void> {
  if (rows.length > 0) await sql.query(t.upsert, columnArrays(rows))
}

/** One array per column from rows (one array of values per row, in the table's column order). */
function columnArrays(rows: unknown[][]): unknown[][] {
  const width = rows[0].length
  const columns: unknown[][] = Array.from({length: width}, () => new Array(rows.length))
  rows.forEach((row, i) => {
    for (let c = 0; c < width; c++) columns[c][i] = row[c]
  })
  return columns
}

/** A record's row in the table's column order (FIXED_COLUMNS, then the typed columns). */
function rowOf(t: PgEntityTable, rec: CrmRecord, json: string, archivedAt: string | null, now: string): unknown[] {
  const row: unknown[] = [rec.id, rec.createdAt ?? null, rec.updatedAt ?? null, rec.archived === true, archivedAt, null, json, jsonbHolds(json), now]
  for (const c of t.columns) row.push(pgColumnValue(c.type, hasOwn(rec.properties, c.property) ? rec.properties[c.property] : null))
  return row
}

function assertWellFormed(t: PgEntityTable, records: CrmRecord[]): void {
  for (const rec of records) {
    if (typeof rec?.id !== 'string' || rec.id === '' || typeof rec.properties !== 'object' || rec.properties === null) {
      throw new TypeError(`applyRecords(${t.entity}): malformed record ${JSON.stringify(rec?.id)}: needs a string id and a properties object (dead-letter it before writing)`)
    }
  }
}

/**
 * The insert-first path (see the header): the counts when the page was written with its
 * checkpoint in one statement, or null when it was not (an id of it is stored already, or the page
 * holds an id twice or nothing): then nothing was written. `run` runs one statement atomically.
 */
export async function insertNewRecords(run: RunStatement, t: PgEntityTable, stream: string, records: CrmRecord[], checkpoint: string | null): Promise<PageCounts | null> {
  assertWellFormed(t, records)
  if (records.length === 0 || new Set(records.map((r) => r.id)).size !== records.length) return null
  const counts = zero()
  const now = new Date().toISOString()
  const tombstoned: string[] = []
  const rows = records.map((rec) => {
    // what classifyRecord says of an id never stored
    if (rec.archived) {
      counts.deleted++
      tombstoned.push(rec.id)
    } else counts.inserted++
    return rowOf(t, rec, JSON.stringify(rec.properties), rec.archived ? (rec.archivedAt ?? null) : null, now)
  })
  const params = [...columnArrays(rows), stream, checkpoint]
  const r = tombstoned.length > 0 ? await run<{ok: boolean}>(t.insertNewDropping, [...params, t.entity, tombstoned]) : await run<{ok: boolean}>(t.insertNew, params)
  return r.rows[0].ok ? counts : null
}

/** Upsert live records, tombstone archived ones, drop the edges of tombstoned ids. */
export async function writeRecords(sql: Sql, t: PgEntityTable, records: CrmRecord[]): Promise<PageCounts> {
  assertWellFormed(t, records)
  const counts = zero()
  const stored = await storedRows(sql, t, [...new Set(records.map((r) => r.id))])
  const pending = new Map<string, unknown[]>() // the last written row per id (a page may hold an id twice)
  const tombstoned: string[] = []
  const now = new Date().toISOString()
  for (const rec of records) {
    const json = JSON.stringify(rec.properties)
    const existing = stored.get(rec.id)
    const outcome = classifyRecord(existing, rec, json)
    counts[outcome]++
    if (outcome === 'unchanged') continue
    const archivedAt = rec.archived ? (rec.archivedAt ?? existing?.archived_at ?? null) : null
    pending.set(rec.id, rowOf(t, rec, json, archivedAt, now))
    stored.set(rec.id, {created_at: rec.createdAt ?? null, updated_at: rec.updatedAt ?? null, archived: rec.archived ? 1 : 0, archived_at: archivedAt, merged_into: null, properties: json})
    if (outcome === 'deleted') tombstoned.push(rec.id)
  }
  await upsertRows(sql, t, [...pending.values()])
  await dropEdgesOf(sql, t.entity, tombstoned)
  return counts
}

/** Runs one statement atomically (its own transaction, or a savepoint of a dry run). */
export type RunStatement = <R extends object>(sql: string, params: unknown[]) => Promise<{rows: R[]}>

/**
 * Merges of distinct loser ids with their checkpoint as ONE statement (its own transaction), with
 * writeMerges' meaning: a placeholder row for a loser never held (not counted), the survivor set on
 * a held one whose survivor differs (deleted), else unchanged; the losers' edges dropped. Null
 * when a loser appears twice (writeMerges then applies them in order).
 */
export async function mergeDistinct(run: RunStatement, t: PgEntityTable, stream: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: string | null): Promise<PageCounts | null> {
  const losers = merges.map((m) => m.loserId)
  if (new Set(losers).size !== losers.length) return null
  const table = quoteIdent(t.table)
  const r = await run<{updated: number; held: number}>(
    `WITH m AS (SELECT * FROM unnest($1::text[], $2::text[]) AS m(loser, survivor)),
      held AS (SELECT x.id FROM ${table} AS x WHERE x.id = ANY($1::text[])),
      ins AS (INSERT INTO ${table} (id, properties_text, properties, merged_into, synced_at) SELECT m.loser, '{}', '{}', m.survivor, now() FROM m WHERE NOT EXISTS (SELECT 1 FROM held WHERE held.id = m.loser)),
      upd AS (UPDATE ${table} AS x SET merged_into = m.survivor, synced_at = now(), seq = DEFAULT FROM m WHERE x.id = m.loser AND x.merged_into IS DISTINCT FROM m.survivor RETURNING x.id),
      gone AS (DELETE FROM associations WHERE (from_entity = $3 AND from_id = ANY($1::text[])) OR (to_entity = $3 AND to_id = ANY($1::text[]))),
      ${checkpointCte(4, 5, 'true')}
      SELECT (SELECT count(*) FROM upd)::int AS updated, (SELECT count(*) FROM held)::int AS held`,
    [losers, merges.map((m) => m.survivorId), t.entity, stream, checkpoint],
  )
  const {updated, held} = r.rows[0]
  return {inserted: 0, updated: 0, deleted: updated, unchanged: held - updated}
}

/** Mark merged-away ids (a placeholder row for an id never held) and drop their edges. */
export async function writeMerges(sql: Sql, t: PgEntityTable, merges: Array<{loserId: string; survivorId: string}>): Promise<PageCounts> {
  const counts = zero()
  const table = quoteIdent(t.table)
  const stored = await storedRows(sql, t, [...new Set(merges.map((m) => m.loserId))])
  for (const {loserId, survivorId} of merges) {
    const existing = stored.get(loserId)
    if (!existing) {
      // remember the id so a stale search hit for it can never bring it back as live (not counted)
      await sql.query(`INSERT INTO ${table} (id, properties_text, properties, merged_into, synced_at) VALUES ($1, '{}', '{}', $2, now())`, [loserId, survivorId])
      stored.set(loserId, {created_at: null, updated_at: null, archived: 0, archived_at: null, merged_into: survivorId, properties: '{}'})
    } else if (existing.merged_into !== survivorId) {
      await sql.query(`UPDATE ${table} SET merged_into = $1, synced_at = now(), seq = DEFAULT WHERE id = $2`, [survivorId, loserId])
      existing.merged_into = survivorId
      counts.deleted++
    } else counts.unchanged++
  }
  await dropEdgesOf(sql, t.entity, [...new Set(merges.map((m) => m.loserId))])
  return counts
}
