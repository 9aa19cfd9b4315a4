/**
 * Replace the association edges of a set of from-records in SQLite: edges that disappeared are
 * deleted, new ones inserted, a changed label updated (the plan: association-plan.ts).
 */
import type {Database, Statement} from 'better-sqlite3'
import type {AssociationRow} from '../core/records.js'
import type {PageCounts} from '../core/store-port.js'
import {tombstoneEdge} from './change-seq.js'
import {planAssociationRows, type StoredEdge} from './association-plan.js'

const statements = new WeakMap<Database, {selectMany: Statement; insert: Statement; update: Statement; remove: Statement}>()

function prepared(db: Database) {
  let s = statements.get(db)
  if (!s) {
    s = {
      // the stored edges of a whole page of from-ids in one statement (the ids as a JSON array):
      // one call into SQLite instead of one per from-id
      selectMany: db.prepare('SELECT from_id, to_id, category, type_id, label FROM associations WHERE from_entity = ? AND to_entity = ? AND from_id IN (SELECT value FROM json_each(?))'),
      insert: db.prepare('INSERT INTO associations (from_entity, from_id, to_entity, to_id, type_id, category, label, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE associations SET label = ?, seq = ? WHERE from_entity = ? AND from_id = ? AND to_entity = ? AND to_id = ? AND category = ? AND type_id = ?'),
      remove: db.prepare('DELETE FROM associations WHERE from_entity = ? AND from_id = ? AND to_entity = ? AND to_id = ? AND category = ? AND type_id = ?'),
    }
    statements.set(db, s)
  }
  return s
}

/**
 * The to-side index of the edge table (migration 1 creates it). Keeping it up to date costs a
 * random B-tree insert per edge, which dominated a first load of millions of edges (64 s of 76 s
 * for 3M edges measured; building it afterwards takes 3.5 s), so a first load goes without it:
 * see SqliteStore.beginEdgeLoad. Only the deletion of an archived or merged record's edges needs it.
 */
export const EDGE_TO_INDEX = {
  drop: 'DROP INDEX IF EXISTS associations_to',
  create: 'CREATE INDEX IF NOT EXISTS associations_to ON associations (to_entity, to_id)',
}

/**
 * Make the edges from each of `fromIds` (fromEntity → toEntity) exactly those in `rows`.
 * Rows whose fromId is not in `fromIds` are added without removing that record's other edges.
 * Counts: inserted (new edge), updated (label changed), unchanged, deleted (edge removed).
 * Inserted and updated edges get change sequence `seq`; a removed one leaves a tombstone with it.
 */
export function applyAssociationRows(db: Database, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], seq: number): PageCounts {
  const s = prepared(db)
  const ids = new Set(fromIds)
  for (const r of rows) ids.add(r.fromId)
  const stored = s.selectMany.all(fromEntity, toEntity, JSON.stringify([...ids])) as StoredEdge[]
  const plan = planAssociationRows(fromIds, rows, stored)
  for (const e of plan.remove) {
    s.remove.run(fromEntity, e.fromId, toEntity, e.toId, e.category, e.typeId)
    tombstoneEdge(db, seq, fromEntity, e.fromId, toEntity, e.toId)
  }
  for (const e of plan.update) s.update.run(e.label, seq, fromEntity, e.fromId, toEntity, e.toId, e.category, e.typeId)
  for (const e of plan.insert) s.insert.run(fromEntity, e.fromId, toEntity, e.toId, e.typeId, e.category, e.label, seq)
  return plan.counts
}
