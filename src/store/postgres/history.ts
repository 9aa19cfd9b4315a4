/**
 * The runs and dead letters of a PostgreSQL store read in id order (server-side cursors) and
 * written back with their ids and times (`crmsync store copy`: StoreHistory in the store port).
 * The identity sequences are moved past the copied ids, so runs started later never collide.
 */
import type {RunRecord, StoredDeadLetter} from '../../core/store-port.js'
import {toRunRecord, type RunRow} from '../runs.js'
import type {PgSession, Sql} from './session.js'

/** NUL cannot be stored in PostgreSQL text: shown as \0 in free-form fields (as PostgresStore does). */
const noNul = (s: string): string => s.replace(/\0/g, '\\0')

/** Every run, oldest first. */
export async function* pgRunHistory(session: PgSession): AsyncGenerator<RunRecord> {
  for await (const rows of session.cursor<Omit<RunRow, 'dry_run'> & {dry_run: boolean}>('SELECT * FROM runs ORDER BY id')) {
    for (const r of rows) yield toRunRecord({...r, dry_run: r.dry_run ? 1 : 0})
  }
}

/** Every dead letter, in id order. */
export async function* pgDeadLetterHistory(session: PgSession): AsyncGenerator<StoredDeadLetter> {
  const sql = `SELECT id, run_id AS "runId", stream, record_id AS "recordId", payload, reason, created_at AS "createdAt" FROM dead_letters ORDER BY id`
  for await (const rows of session.cursor<StoredDeadLetter>(sql)) yield* rows
}

/** Insert runs and dead letters as they are (the caller's transaction), then move the id sequences past them. */
export async function pgImportHistory(sql: Sql, runs: RunRecord[], deadLetters: StoredDeadLetter[]): Promise<void> {
  if (runs.length > 0) {
    await sql.query(
      `INSERT INTO runs (id, command, started_at, finished_at, status, dry_run, counts, requests, rate_limited, retries, errors, message)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::boolean[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[])`,
      [
        runs.map((r) => r.id),
        runs.map((r) => noNul(r.command)),
        runs.map((r) => r.startedAt),
        runs.map((r) => r.finishedAt),
        runs.map((r) => r.status),
        runs.map((r) => r.dryRun),
        runs.map((r) => JSON.stringify(r.counts)),
        runs.map((r) => r.requests),
        runs.map((r) => r.rateLimited),
        runs.map((r) => r.retries),
        runs.map((r) => r.errors),
        runs.map((r) => (r.message === null || r.message === undefined ? null : noNul(r.message))),
      ],
    )
    await sql.query(`SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT max(id) FROM runs))`)
  }
  if (deadLetters.length > 0) {
    await sql.query(
      `INSERT INTO dead_letters (id, run_id, stream, record_id, payload, reason, created_at)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])`,
      [
        deadLetters.map((d) => d.id),
        deadLetters.map((d) => d.runId),
        deadLetters.map((d) => noNul(d.stream)),
        deadLetters.map((d) => (d.recordId === null ? null : noNul(d.recordId))),
        deadLetters.map((d) => (d.payload === null ? null : noNul(d.payload))),
        deadLetters.map((d) => noNul(d.reason)),
        deadLetters.map((d) => d.createdAt),
      ],
    )
    await sql.query(`SELECT setval(pg_get_serial_sequence('dead_letters', 'id'), (SELECT max(id) FROM dead_letters))`)
  }
}
