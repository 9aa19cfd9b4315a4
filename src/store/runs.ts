/**
 * The `runs` and `dead_letters` tables: one row per command run, one row per record that could
 * not be synced.
 */
import type {Database} from 'better-sqlite3'
import type {DeadLetter, PageCounts, RunRecord} from '../core/store-port.js'

/** A `runs` row as stored (SQLite; PostgreSQL rows are brought to this shape). */
export interface RunRow {
  id: number
  command: string
  started_at: string
  finished_at: string | null
  status: RunRecord['status']
  dry_run: number
  counts: string
  requests: number
  rate_limited: number
  retries: number
  errors: number
  message: string | null
}

export function toRunRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    command: r.command,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    dryRun: r.dry_run === 1,
    counts: JSON.parse(r.counts) as Record<string, PageCounts>,
    requests: r.requests,
    rateLimited: r.rate_limited,
    retries: r.retries,
    errors: r.errors,
    message: r.message,
  }
}

/** Insert a `running` run and return its id. */
export function insertRun(db: Database, command: string, dryRun: boolean): number {
  const info = db.prepare(`INSERT INTO runs (command, started_at, status, dry_run) VALUES (?, ?, 'running', ?)`).run(command, new Date().toISOString(), dryRun ? 1 : 0)
  return Number(info.lastInsertRowid)
}

/** The run fields a patch may set and their columns. */
export const PATCH_COLUMNS: Record<string, string> = {
  finishedAt: 'finished_at',
  status: 'status',
  counts: 'counts',
  requests: 'requests',
  rateLimited: 'rate_limited',
  retries: 'retries',
  errors: 'errors',
  dryRun: 'dry_run',
  message: 'message',
}

/** Update the given fields of a run (column names come from a fixed list, never from input). */
export function updateRun(db: Database, runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): void {
  const sets: string[] = []
  const values: unknown[] = []
  for (const [key, value] of Object.entries(patch)) {
    const column = PATCH_COLUMNS[key]
    if (!column || value === undefined) continue
    sets.push(`${column} = ?`)
    values.push(key === 'counts' ? JSON.stringify(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value)
  }
  if (sets.length === 0) return
  db.prepare(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, runId)
}

/** The most recent runs, newest first. */
export function recentRuns(db: Database, limit = 20): RunRecord[] {
  return (db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[]).map(toRunRecord)
}

/** The newest run that ended ok, dry runs excluded. */
export function lastSuccessfulRun(db: Database): {id: number; finishedAt: string | null} | null {
  const r = db.prepare("SELECT id, finished_at FROM runs WHERE status = 'ok' AND dry_run = 0 ORDER BY id DESC LIMIT 1").get() as {id: number; finished_at: string | null} | undefined
  return r ? {id: r.id, finishedAt: r.finished_at} : null
}

/** Record a dead letter; `runId` defaults to the caller's current run. */
export function insertDeadLetter(db: Database, entry: DeadLetter, runId: number | null): void {
  db.prepare('INSERT INTO dead_letters (run_id, stream, record_id, payload, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    entry.runId ?? runId,
    entry.stream,
    entry.recordId,
    entry.payload === undefined ? null : JSON.stringify(entry.payload),
    entry.reason,
    new Date().toISOString(),
  )
}

/** Dead-letter count per stream. */
export function deadLetterCounts(db: Database): Map<string, number> {
  const rows = db.prepare('SELECT stream, COUNT(*) AS n FROM dead_letters GROUP BY stream').all() as Array<{stream: string; n: number}>
  return new Map(rows.map((r) => [r.stream, r.n]))
}
