/**
 * `crmsync sync status` of a SQLite store: what it holds per stream (cursor, rows, tombstones, dead
 * letters) and what the recent runs did. Read-only. (readSyncStatus in read-status.ts opens any store.)
 */
import {listEntities} from './entity-table.js'
import {quoteIdent} from './identifiers.js'
import type {SqliteHandle} from './sqlite-handle.js'
import {deadLetterCounts, lastSuccessfulRun, recentRuns} from './runs.js'
import type {Checkpoint, SyncStatusResult} from '../core/store-port.js'
import {assembleStatus} from './status-lines.js'

/** The status of an open SQLite store. */
export function sqliteStatus(store: SqliteHandle): SyncStatusResult {
  const sdb = store.db
  const checkpoints = new Map(
    (sdb.prepare('SELECT stream, value, updated_at FROM checkpoints').all() as Array<{stream: string; value: string; updated_at: string}>).map((r) => [
      r.stream,
      {value: JSON.parse(r.value) as Checkpoint, updatedAt: r.updated_at},
    ]),
  )
  const dead = deadLetterCounts(sdb)
  const runs = recentRuns(sdb, 50)
  const entities = listEntities(sdb)
  const counts = new Map<string, {rows: number; tombstones: number; merged: number}>()
  for (const e of entities) {
    const table = store.table(e)!.table
    const c = sdb
      .prepare(
        `SELECT COALESCE(SUM(archived = 0 AND merged_into IS NULL), 0) AS rows, COALESCE(SUM(archived = 1 AND merged_into IS NULL), 0) AS tombstones, COALESCE(SUM(merged_into IS NOT NULL), 0) AS merged FROM ${quoteIdent(table)}`,
      )
      .get() as {rows: number; tombstones: number; merged: number}
    counts.set(e, c)
  }
  const edges = (sdb.prepare('SELECT COUNT(*) AS n FROM associations').get() as {n: number}).n
  const version = (sdb.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number}).v
  return assembleStatus({db: store.path, schemaVersion: version, checkpoints, deadLetters: dead, runs, entities, counts, edges, lastSuccess: lastSuccessfulRun(sdb)})
}
