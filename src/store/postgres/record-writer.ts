/**
 * Records and merges of one page into a PostgreSQL entity table, set-wise: one SELECT of the stored
 * rows of the page, the same classification as SQLite (../record-compare.ts) in page order, one
 * upsert of every changed row through unnest, one DELETE of the edges of tombstoned or merged ids.
 * Runs inside the caller's transaction.
 */
import type {CrmRecord} from '../../core/records.js'
import type {PageCounts} from '../../core/store-port.js'
import type {StoredRow} from '../entity-table.js'
import {classifyRecord} from '../record-compare.js'
import type {PgEntityTable} from './entity-table.js'
import {quoteIdent} from '../identifiers.js'
import type {Sql} from './session.js'
import {jsonbValue, pgColumnValue} from './typing.js'

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
  if (rows.length === 0) return
  const width = rows[0].length
  const columns: unknown[][] = Array.from({length: width}, () => new Array(rows.length))
  rows.forEach((row, i) => {
    for (let c = 0; c < width; c++) columns[c][i] = row[c]
  })
  await sql.query(t.upsert, columns)
}

/** Upsert live records, tombstone archived ones, drop the edges of tombstoned ids. */
export async function writeRecords(sql: Sql, t: PgEntityTable, records: CrmRecord[]): Promise<PageCounts> {
  for (const rec of records) {
    if (typeof rec?.id !== 'string' || rec.id === '' || typeof rec.properties !== 'object' || rec.properties === null) {
      throw new TypeError(`applyRecords(${t.entity}): malformed record ${JSON.stringify(rec?.id)}: needs a string id and a properties object (dead-letter it before writing)`)
    }
  }
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
    const row: unknown[] = [rec.id, rec.createdAt ?? null, rec.updatedAt ?? null, rec.archived === true, archivedAt, null, json, jsonbValue(json), now]
    for (const c of t.columns) row.push(pgColumnValue(c.type, hasOwn(rec.properties, c.property) ? rec.properties[c.property] : null))
    pending.set(rec.id, row)
    stored.set(rec.id, {created_at: rec.createdAt ?? null, updated_at: rec.updatedAt ?? null, archived: rec.archived ? 1 : 0, archived_at: archivedAt, merged_into: null, properties: json})
    if (outcome === 'deleted') tombstoned.push(rec.id)
  }
  await upsertRows(sql, t, [...pending.values()])
  await dropEdgesOf(sql, t.entity, tombstoned)
  return counts
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
