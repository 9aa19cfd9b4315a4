/**
 * Replace the association edges of a set of from-records: edges that disappeared are deleted,
 * new ones inserted, a changed label updated. Runs inside the caller's transaction.
 */
import type {Database, Statement} from 'better-sqlite3'
import type {AssociationRow} from '../core/records.js'
import type {PageCounts} from '../core/store-port.js'
import {tombstoneEdge} from './change-seq.js'

interface EdgeRow {
  to_id: string
  category: string
  type_id: number
  label: string | null
}

const statements = new WeakMap<Database, {selectMany: Statement; insert: Statement; update: Statement; remove: Statement}>()

function prepared(db: Database) {
  let s = statements.get(db)
  if (!s) {
    s = {
      // the stored edges of a whole page of from-ids in one statement (the ids as a JSON array):
      // one call into SQLite instead of one per from-id
      selectMany: db.prepare(
        'SELECT from_id, to_id, category, type_id, label FROM associations WHERE from_entity = ? AND to_entity = ? AND from_id IN (SELECT value FROM json_each(?))',
      ),
      insert: db.prepare(
        'INSERT INTO associations (from_entity, from_id, to_entity, to_id, type_id, category, label, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      update: db.prepare(
        'UPDATE associations SET label = ?, seq = ? WHERE from_entity = ? AND from_id = ? AND to_entity = ? AND to_id = ? AND category = ? AND type_id = ?',
      ),
      remove: db.prepare(
        'DELETE FROM associations WHERE from_entity = ? AND from_id = ? AND to_entity = ? AND to_id = ? AND category = ? AND type_id = ?',
      ),
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

const edgeKey = (toId: string, category: string, typeId: number) => `${toId}\u0000${category}\u0000${typeId}`

/**
 * Make the edges from each of `fromIds` (fromEntity → toEntity) exactly those in `rows`.
 * Rows whose fromId is not in `fromIds` are added without removing that record's other edges.
 * Counts: inserted (new edge), updated (label changed), unchanged, deleted (edge removed).
 * Inserted and updated edges get change sequence `seq`; a removed one leaves a tombstone with it.
 */
export function applyAssociationRows(db: Database, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], seq: number): PageCounts {
  const s = prepared(db)
  const counts: PageCounts = {inserted: 0, updated: 0, unchanged: 0, deleted: 0}
  const wanted = new Map<string, Map<string, {toId: string; category: string; typeId: number; label: string | null}>>()
  for (const id of fromIds) wanted.set(id, new Map())
  for (const row of rows) {
    let edges = wanted.get(row.fromId)
    if (!edges) wanted.set(row.fromId, (edges = new Map()))
    for (const t of row.types) edges.set(edgeKey(row.toId, t.category, t.typeId), {toId: row.toId, category: t.category, typeId: t.typeId, label: t.label ?? null})
  }
  const replaced = new Set(fromIds)
  const stored = new Map<string, EdgeRow[]>()
  for (const e of s.selectMany.all(fromEntity, toEntity, JSON.stringify([...wanted.keys()])) as Array<EdgeRow & {from_id: string}>) {
    let list = stored.get(e.from_id)
    if (!list) stored.set(e.from_id, (list = []))
    list.push(e)
  }
  for (const [fromId, edges] of wanted) {
    const existing = stored.get(fromId) ?? []
    for (const e of existing) {
      const key = edgeKey(e.to_id, e.category, e.type_id)
      const want = edges.get(key)
      if (!want) {
        if (replaced.has(fromId)) {
          s.remove.run(fromEntity, fromId, toEntity, e.to_id, e.category, e.type_id)
          tombstoneEdge(db, seq, fromEntity, fromId, toEntity, e.to_id)
          counts.deleted++
        }
        continue
      }
      edges.delete(key)
      if (want.label === e.label) counts.unchanged++
      else {
        s.update.run(want.label, seq, fromEntity, fromId, toEntity, e.to_id, e.category, e.type_id)
        counts.updated++
      }
    }
    for (const e of edges.values()) {
      s.insert.run(fromEntity, fromId, toEntity, e.toId, e.typeId, e.category, e.label, seq)
      counts.inserted++
    }
  }
  return counts
}
