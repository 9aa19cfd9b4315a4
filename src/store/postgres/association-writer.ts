/**
 * Replace the association edges of a page of from-records in PostgreSQL: the shared plan
 * (../association-plan.ts) from one SELECT, then one DELETE, UPDATE and INSERT through unnest.
 * Runs inside the caller's transaction.
 */
import type {AssociationRow} from '../../core/records.js'
import type {PageCounts} from '../../core/store-port.js'
import {planAssociationRows, type PlannedEdge, type StoredEdge} from '../association-plan.js'
import type {Sql} from './session.js'

const arrays = (edges: PlannedEdge[]) => [edges.map((e) => e.fromId), edges.map((e) => e.toId), edges.map((e) => e.category), edges.map((e) => e.typeId), edges.map((e) => e.label)]
const EDGES = 'unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::text[]) AS e(from_id, to_id, category, type_id, label)'
const SAME_EDGE = 'a.from_entity = $1 AND a.to_entity = $2 AND a.from_id = e.from_id AND a.to_id = e.to_id AND a.category = e.category AND a.type_id = e.type_id'

export async function writeAssociations(sql: Sql, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[]): Promise<PageCounts> {
  const ids = new Set(fromIds)
  for (const r of rows) ids.add(r.fromId)
  const stored = await sql.query<StoredEdge>('SELECT from_id, to_id, category, type_id, label FROM associations WHERE from_entity = $1 AND to_entity = $2 AND from_id = ANY($3::text[])', [
    fromEntity,
    toEntity,
    [...ids],
  ])
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
