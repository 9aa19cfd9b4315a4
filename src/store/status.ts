/**
 * `crmsync sync status`: what a store holds per stream (cursor, rows, tombstones, dead letters)
 * and what the recent runs did. Read-only.
 */
import {cursorView} from './cursor-view.js'
import {listEntities} from './entity-table.js'
import {quoteIdent} from './identifiers.js'
import {openStoreReader} from './open.js'
import type {SqliteStore} from './sqlite-store.js'
import {deadLetterCounts, lastSuccessfulRun, recentRuns} from './runs.js'
import type {Checkpoint, StreamStatusLine, SyncStatusResult} from '../core/store-port.js'

/** Read the status of the store at `db` (exit 2 with the fix when it does not exist). */
export async function readSyncStatus(db: string): Promise<SyncStatusResult> {
  const store = openStoreReader(db)
  try {
    return await store.status()
  } finally {
    await store.close()
  }
}

/** The status of an open SQLite store. */
export function sqliteStatus(store: SqliteStore): SyncStatusResult {
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
  const names = [...new Set([...entities, ...checkpoints.keys(), ...dead.keys(), ...(edges > 0 ? ['associations'] : [])])].sort()
  const streams = names.map((stream): StreamStatusLine => {
    const cp = checkpoints.get(stream)
    const c = counts.get(stream)
    const run = runs.find((r) => Object.prototype.hasOwnProperty.call(r.counts, stream)) ?? null
    const view = cursorView(cp?.value)
    return {
      stream,
      cursor: cp?.value ?? null,
      cursorUpdatedAt: cp?.updatedAt ?? null,
      cursorAt: view.at === null ? null : new Date(view.at).toISOString(),
      cursorId: view.id,
      cursorPhase: view.phase,
      rows: c ? c.rows : stream === 'associations' ? edges : null,
      tombstones: c ? c.tombstones : null,
      merged: c ? c.merged : null,
      deadLetters: dead.get(stream) ?? 0,
      lastRun: run && {id: run.id, command: run.command, startedAt: run.startedAt, finishedAt: run.finishedAt, status: run.status, requests: run.requests, errors: run.errors, stream: run.counts[stream]},
    }
  })
  const version = (sdb.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number}).v
  return {
    db: store.path,
    schemaVersion: version,
    streams,
    lastRun: runs[0] ?? null,
    lastSuccess: lastSuccessfulRun(sdb),
    totals: {
      records: [...counts.values()].reduce((a, c) => a + c.rows, 0),
      tombstones: [...counts.values()].reduce((a, c) => a + c.tombstones, 0),
      associations: edges,
      deadLetters: [...dead.values()].reduce((a, n) => a + n, 0),
    },
  }
}
