/**
 * Pruning `edge_tombstones` on the PostgreSQL store, with the SQLite store's rule (../tombstones.ts
 * explains it): tombstones up to min(every publish cursor, the safe high-water mark) are deleted in
 * batches of PRUNE_BATCH rows, each one statement (its own transaction), after
 * `tombstones_pruned.through_seq` was raised to that bound; a cursor below it reads as none.
 * Several processes pruning at once delete disjoint or already deleted rows: harmless.
 */
import {PRUNE_BATCH} from '../tombstones.js'
import {SAFE_MARK_SQL} from './change-seq.js'
import type {PgSession} from './session.js'

/** Delete the tombstones no publish reads any more; returns how many. */
export async function pgPruneTombstones(session: PgSession, batch = PRUNE_BATCH): Promise<number> {
  const through = await session.tx(async (sql) => {
    const mark = Math.max(0, (await sql.query<{seq: number}>(SAFE_MARK_SQL)).rows[0].seq)
    const oldest = (await sql.query<{seq: number | null}>('SELECT min(seq) AS seq FROM publish_cursors')).rows[0].seq
    const bound = Math.min(oldest ?? Number.POSITIVE_INFINITY, mark)
    await sql.query('UPDATE tombstones_pruned SET through_seq = $1 WHERE id = 1 AND through_seq < $1', [bound])
    return bound
  })
  let pruned = 0
  for (let n = batch; n === batch; pruned += n) {
    n = (await session.statement('DELETE FROM edge_tombstones WHERE ctid = ANY(ARRAY(SELECT ctid FROM edge_tombstones WHERE seq <= $1 LIMIT $2))', [through, batch])).rowCount ?? 0
  }
  return pruned
}
