/**
 * Planner statistics of the PostgreSQL edge table after an associations load. Without statistics
 * (autovacuum may be off, or not have caught up with a load) the edge look-up of a page was planned
 * as a scan: 93 ms per page at 200k edges. But `ANALYZE associations` costs 0.1-0.3 s, so it runs
 * only when the table changed substantially since it was last analysed: after a first load (the
 * table was empty when the load began), when it was never analysed (a killed first load's rerun,
 * reset statistics), or when the edges written since the last analyse, over every run and process
 * (`edge_writes`, migration 5), exceed ANALYZE_SHARE of the rows the last analyse counted.
 *
 * Not pg_stat_user_tables.n_mod_since_analyze: a backend reports its writes to the statistics up
 * to a second after they commit, so a load's inserts arrive after the ANALYZE at its end and the
 * next run would count the whole load as changed (and analyse again, every small run after a load).
 * Edges dropped with an archived or merged record are not counted: a few per page at most.
 */
import type {PgSession} from './session.js'

/** Share of the edge table written since its last ANALYZE above which it is analysed again (autovacuum's default is 10% + 50 rows). */
export const ANALYZE_SHARE = 0.1

/** Count this load's `written` edges and analyse the edge table when it changed substantially (above); returns whether it did. */
export async function analyzeEdgesIfChanged(session: PgSession, firstLoad: boolean, written: number): Promise<boolean> {
  const since = (await session.query<{n: number}>('UPDATE edge_writes SET since_analyze = since_analyze + $1 WHERE id = 1 RETURNING since_analyze AS n', [written])).rows[0].n
  if (!firstLoad) {
    const r = await session.query<{rows: number; analysed: boolean}>(
      `SELECT c.reltuples AS rows, coalesce(s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL, false) AS analysed
       FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'associations'::regclass`,
    )
    const {rows, analysed} = r.rows[0]
    if (analysed && rows >= 0 && since <= ANALYZE_SHARE * rows) return false
  }
  await session.query('ANALYZE associations')
  // what other processes counted meanwhile stays counted
  await session.query('UPDATE edge_writes SET since_analyze = greatest(since_analyze - $1, 0) WHERE id = 1', [since])
  return true
}
