/**
 * The runs and dead letters of a SQLite store read in id order and written back with their ids and
 * times (`crmsync store copy`: StoreHistory in the store port). SQLite's AUTOINCREMENT counters
 * follow explicit ids, so runs started later get ids after the copied ones.
 */
import type {Database} from 'better-sqlite3'
import type {RunRecord, StoredDeadLetter} from '../core/store-port.js'
import {toRunRecord, type RunRow} from './runs.js'

interface DeadLetterRow {
  id: number
  run_id: number | null
  stream: string
  record_id: string | null
  payload: string | null
  reason: string
  created_at: string
}

/** Every run, oldest first. */
export function* sqliteRunHistory(db: Database): IterableIterator<RunRecord> {
  for (const r of db.prepare('SELECT * FROM runs ORDER BY id').iterate() as IterableIterator<RunRow>) yield toRunRecord(r)
}

/** Every dead letter, in id order. */
export function* sqliteDeadLetterHistory(db: Database): IterableIterator<StoredDeadLetter> {
  const rows = db.prepare('SELECT id, run_id, stream, record_id, payload, reason, created_at FROM dead_letters ORDER BY id').iterate() as IterableIterator<DeadLetterRow>
  for (const r of rows) yield {id: r.id, runId: r.run_id, stream: r.stream, recordId: r.record_id, payload: r.payload, reason: r.reason, createdAt: r.created_at}
}

/** Insert runs and dead letters as they are (the caller's transaction). */
export function sqliteImportHistory(db: Database, runs: RunRecord[], deadLetters: StoredDeadLetter[]): void {
  const run = db.prepare(
    'INSERT INTO runs (id, command, started_at, finished_at, status, dry_run, counts, requests, rate_limited, retries, errors, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  for (const r of runs) {
    run.run(r.id, r.command, r.startedAt, r.finishedAt, r.status, r.dryRun ? 1 : 0, JSON.stringify(r.counts), r.requests, r.rateLimited, r.retries, r.errors, r.message ?? null)
  }
  const dead = db.prepare('INSERT INTO dead_letters (id, run_id, stream, record_id, payload, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
  for (const d of deadLetters) dead.run(d.id, d.runId, d.stream, d.recordId, d.payload, d.reason, d.createdAt)
}
