/**
 * Replace the association edges of a page of from-records in PostgreSQL: the shared plan
 * (../association-plan.ts) from one SELECT, then one DELETE, UPDATE and INSERT through unnest.
 * Runs inside the caller's transaction.
 *
 * During a first edge load (the table was empty when the load began: PostgresStore.beginEdgeLoad)
 * a page is first tried as ONE statement, its own transaction: insert the plan's edges and save the
 * checkpoint, only if none of the page's from-ids has a stored edge of the pair; else it changes
 * nothing and the page takes the path above. One round trip instead of five.
 */
import type {AssociationRow} from '../../core/records.js'
import type {PageCounts} from '../../core/store-port.js'
import {planAssociationRows, type PlannedEdge, type StoredEdge} from '../association-plan.js'
import {checkpointCte} from './entity-table.js'
import type {RunStatement} from './record-writer.js'
import type {Sql} from './session.js'

const arrays = (edges: PlannedEdge[]) => [edges.map((e) => e.fromId), edges.map((e) => e.toId), edges.map((e) => e.category), edges.map((e) => e.typeId), edges.map((e) => e.label)]
const EDGES = 'unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[]) AS e(from_id, to_id, category, type_id, label)'
const SAME_EDGE = 'a.from_entity = $1 AND a.to_entity = $2 AND a.from_id = e.from_id AND a.to_id = e.to_id AND a.category = e.category AND a.type_id = e.type_id'

/**
 * The stored edges of the pair for each from-id of array parameter `ids`, looked up id by id (a
 * nested loop over the primary key, the OFFSET 0 keeps the planner from flattening it). The plain
 * `from_id = ANY($ids)` form was planned, on a table without statistics (a first load; autovacuum
 * never ran), as a scan of every edge of the pair filtered by the array: O(edges) per page,
 * O(edges²) per load (measured: 93 ms per page at 200k contacts, growing; 0.1 ms planned this way).
 */
const storedOf = (ids: string, columns: string, limit = 'OFFSET 0'): string =>
  `SELECT ${columns} FROM unnest(${ids}::text[]) AS f(id) CROSS JOIN LATERAL (SELECT a.from_id, a.to_id, a.category, a.type_id, a.label FROM associations AS a WHERE a.from_entity = $1 AND a.from_id = f.id AND a.to_entity = $2 ${limit}) AS s`

const INSERT_NEW = `WITH fresh AS (SELECT NOT EXISTS (${storedOf('$8', '1', 'LIMIT 1')}) AS ok),
  ins AS (INSERT INTO associations (from_entity, to_entity, from_id, to_id, category, type_id, label) SELECT $1::text, $2::text, e.* FROM ${EDGES} WHERE (SELECT ok FROM fresh)),
  ${checkpointCte(9, 10, '(SELECT ok FROM fresh)')}
  SELECT ok FROM fresh`

/** The insert-first path (see the header): the counts when the page was written, or null when nothing was. */
export async function insertNewAssociations(
  run: RunStatement,
  stream: string,
  fromEntity: string,
  toEntity: string,
  fromIds: string[],
  rows: AssociationRow[],
  checkpoint: string | null,
): Promise<PageCounts | null> {
  const ids = new Set(fromIds)
  for (const r of rows) ids.add(r.fromId)
  const plan = planAssociationRows(fromIds, rows, []) // what the plan is when nothing is stored
  const r = await run<{ok: boolean}>(INSERT_NEW, [fromEntity, toEntity, ...arrays(plan.insert), [...ids], stream, checkpoint])
  return r.rows[0].ok ? plan.counts : null
}

export async function writeAssociations(sql: Sql, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[]): Promise<PageCounts> {
  const ids = new Set(fromIds)
  for (const r of rows) ids.add(r.fromId)
  const stored = await sql.query<StoredEdge>(storedOf('$3', 's.*'), [fromEntity, toEntity, [...ids]])
  const plan = planAssociationRows(fromIds, rows, stored.rows)
  if (plan.remove.length > 0) await sql.query(`DELETE FROM associations AS a USING ${EDGES} WHERE ${SAME_EDGE}`, [fromEntity, toEntity, ...arrays(plan.remove)])
  if (plan.update.length > 0) await sql.query(`UPDATE associations AS a SET label = e.label, seq = DEFAULT FROM ${EDGES} WHERE ${SAME_EDGE}`, [fromEntity, toEntity, ...arrays(plan.update)])
  if (plan.insert.length > 0) {
    await sql.query(`INSERT INTO associations (from_entity, to_entity, from_id, to_id, category, type_id, label) SELECT $1::text, $2::text, e.* FROM ${EDGES}`, [
      fromEntity,
      toEntity,
      ...arrays(plan.insert),
    ])
  }
  return plan.counts
}
