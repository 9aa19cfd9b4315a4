/**
 * Stream claims of a PostgreSQL store shared by several processes: a session-level advisory lock
 * on (store schema, stream), held on a connection of its own for as long as the stream runs. A
 * process that dies loses its connection, and the server releases the lock. `stream_claims` records
 * when a stream was last completed and by which run. A process skips a stream completed after its
 * own run began, or completed by a run that is still going and began at most CLAIM_GRACE_SECONDS
 * before its own: processes that cron or an orchestrator starts "at once" begin their runs seconds
 * apart, and a short stream can be done before the last of them starts. A run that has finished
 * never makes a later one skip anything (a rerun, a service's next interval).
 */
import type {StreamClaim} from '../../core/store-port.js'
import type {PgSession} from './session.js'

/** How much earlier than this run another run still going may have begun and count as started together. */
export const CLAIM_GRACE_SECONDS = 30

const LOCK_KEYS = 'hashtext($1::text), hashtext($2::text)'

export async function claimPgStream(session: PgSession, stream: string, runId: number | null, options: {wait: boolean; signal?: AbortSignal}): Promise<StreamClaim | null> {
  const client = await session.ownClient()
  const keys = [`crmsync-stream:${session.schema}`, stream]
  const abort = (): void => void client.end().catch(() => undefined)
  options.signal?.addEventListener('abort', abort, {once: true})
  try {
    if (options.wait) await client.query(`SELECT pg_advisory_lock(${LOCK_KEYS})`, keys)
    else if (!(await client.query<{ok: boolean}>(`SELECT pg_try_advisory_lock(${LOCK_KEYS}) AS ok`, keys)).rows[0].ok) {
      await client.end()
      return null
    }
  } catch (err) {
    await client.end().catch(() => undefined)
    throw options.signal?.aborted ? new Error('interrupted while waiting for a stream claimed by another process') : err
  } finally {
    options.signal?.removeEventListener('abort', abort)
  }
  const done = await session.query<{later: boolean}>(
    `SELECT s.done_at > me.started_at OR (o.id <> me.id AND o.finished_at IS NULL AND o.started_at > me.started_at - make_interval(secs => $3)) AS later
     FROM stream_claims AS s JOIN runs AS me ON me.id = $2 LEFT JOIN runs AS o ON o.id = s.run_id WHERE s.stream = $1`,
    [stream, runId, CLAIM_GRACE_SECONDS],
  )
  return {
    doneElsewhere: done.rows[0]?.later === true,
    async contended() {
      // another session blocked in pg_advisory_lock on the same two keys (an advisory lock on two int4
      // keys shows them as classid and objid, objsubid 2; oids are unsigned, hence the mask)
      const r = await client.query<{waiting: boolean}>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid::bigint = (hashtext($1::text)::bigint & 4294967295) AND objid::bigint = (hashtext($2::text)::bigint & 4294967295)) AS waiting`,
        keys,
      )
      return r.rows[0].waiting
    },
    async release(completed: boolean) {
      try {
        // recorded before the lock goes, so the next holder sees it
        if (completed)
          await session.query('INSERT INTO stream_claims (stream, done_at, run_id) VALUES ($1, now(), $2) ON CONFLICT (stream) DO UPDATE SET done_at = excluded.done_at, run_id = excluded.run_id', [
            stream,
            runId,
          ])
        await client.query(`SELECT pg_advisory_unlock(${LOCK_KEYS})`, keys)
      } finally {
        await client.end().catch(() => undefined)
      }
    },
  }
}
