/**
 * The read side of the PostgreSQL store: records and edges streamed through server-side cursors
 * in the project's id order (`length(id), id` on COLLATE "C" columns: compareIds), property names,
 * and the status parts. Rows come out exactly as the SQLite store gives them.
 */
import type {AssociationEdge, Checkpoint, IterateOptions, MergedId, StoredRecordRow, SyncStatusResult} from '../../core/store-port.js'
import {quoteIdent} from '../identifiers.js'
import {toRunRecord, type RunRow} from '../runs.js'
import {assembleStatus} from '../status-lines.js'
import {listPgEntities, type PgEntityTable} from './entity-table.js'
import type {PgSession} from './session.js'

/** Raw rows of an entity in id order; merged-away losers are never included. */
export async function* pgRawRecords(session: PgSession, t: PgEntityTable, options: IterateOptions = {}): AsyncGenerator<StoredRecordRow> {
  const where = options.includeArchived === false ? 'merged_into IS NULL AND NOT archived' : 'merged_into IS NULL'
  const sql = `SELECT id, created_at, updated_at, archived::int AS archived, archived_at, properties_text AS properties FROM ${quoteIdent(t.table)} WHERE ${where} ORDER BY length(id), id`
  for await (const rows of session.cursor<StoredRecordRow>(sql)) yield* rows
}

/** Live ids (not archived, not merged) in id order, from a snapshot taken when iteration begins. */
export async function* pgLiveIds(session: PgSession, t: PgEntityTable): AsyncGenerator<string> {
  const sql = `SELECT id FROM ${quoteIdent(t.table)} WHERE NOT archived AND merged_into IS NULL ORDER BY length(id), id`
  for await (const rows of session.cursor<{id: string}>(sql)) for (const r of rows) yield r.id
}

/** Merged-away ids in id order. */
export async function* pgMergedIds(session: PgSession, t: PgEntityTable): AsyncGenerator<MergedId> {
  const sql = `SELECT id, merged_into AS "mergedInto" FROM ${quoteIdent(t.table)} WHERE merged_into IS NOT NULL ORDER BY length(id), id`
  for await (const rows of session.cursor<MergedId>(sql)) yield* rows
}

/** Every association edge, ordered by from entity, from id, to entity, to id, category, type id. */
export async function* pgAssociations(session: PgSession, filter: {fromEntity?: string; toEntity?: string} = {}): AsyncGenerator<AssociationEdge> {
  const sql = `SELECT from_entity AS "fromEntity", from_id AS "fromId", to_entity AS "toEntity", to_id AS "toId", type_id AS "typeId", category, label
     FROM associations
     WHERE ($1::text IS NULL OR from_entity = $1) AND ($2::text IS NULL OR to_entity = $2)
     ORDER BY from_entity, length(from_id), from_id, to_entity, length(to_id), to_id, category, type_id`
  for await (const rows of session.cursor<AssociationEdge>(sql, [filter.fromEntity ?? null, filter.toEntity ?? null])) yield* rows
}

/** Mapped properties plus every key in the stored JSON, sorted (rows without jsonb are parsed from their text). */
export async function pgPropertyNames(session: PgSession, t: PgEntityTable): Promise<string[]> {
  const names = new Set(t.columns.map((c) => c.property))
  const table = quoteIdent(t.table)
  for await (const rows of session.cursor<{k: string}>(`SELECT DISTINCT jsonb_object_keys(properties) AS k FROM ${table} WHERE merged_into IS NULL AND properties IS NOT NULL`))
    for (const r of rows) names.add(r.k)
  for await (const rows of session.cursor<{p: string}>(`SELECT properties_text AS p FROM ${table} WHERE merged_into IS NULL AND properties IS NULL`)) {
    for (const r of rows) for (const k of Object.keys(JSON.parse(r.p) as object)) names.add(k)
  }
  return [...names].sort()
}

interface PgRunRow extends Omit<RunRow, 'dry_run'> {
  dry_run: boolean
}

/** The status of a PostgreSQL store. */
export async function pgStatus(session: PgSession, display: string, table: (entity: string) => Promise<PgEntityTable | null>): Promise<SyncStatusResult> {
  const cps = await session.query<{stream: string; value: string; updated_at: string}>('SELECT stream, value, updated_at FROM checkpoints')
  const checkpoints = new Map(cps.rows.map((r) => [r.stream, {value: JSON.parse(r.value) as Checkpoint, updatedAt: r.updated_at}]))
  const dead = await session.query<{stream: string; n: number}>('SELECT stream, count(*)::int AS n FROM dead_letters GROUP BY stream')
  const runs = await session.query<PgRunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT 50')
  const entities = await listPgEntities(session)
  const counts = new Map<string, {rows: number; tombstones: number; merged: number}>()
  for (const e of entities) {
    const t = (await table(e))!
    const c = await session.query<{rows: number; tombstones: number; merged: number}>(
      `SELECT count(*) FILTER (WHERE NOT archived AND merged_into IS NULL)::int AS rows, count(*) FILTER (WHERE archived AND merged_into IS NULL)::int AS tombstones, count(*) FILTER (WHERE merged_into IS NOT NULL)::int AS merged FROM ${quoteIdent(t.table)}`,
    )
    counts.set(e, c.rows[0])
  }
  const edges = (await session.query<{n: number}>('SELECT count(*) AS n FROM associations')).rows[0].n
  const version = (await session.query<{v: number}>('SELECT max(version)::int AS v FROM schema_migrations')).rows[0].v
  return assembleStatus({
    db: display,
    schemaVersion: version,
    checkpoints,
    deadLetters: new Map(dead.rows.map((r) => [r.stream, r.n])),
    runs: runs.rows.map((r) => toRunRecord({...r, dry_run: r.dry_run ? 1 : 0})),
    entities,
    counts,
    edges,
  })
}
