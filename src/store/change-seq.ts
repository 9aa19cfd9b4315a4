/**
 * The store's change sequence (migration 2): every write transaction takes the next value of one
 * counter and stamps each record row and edge it changes with it; a removed edge leaves a tombstone
 * carrying it. `crmsync publish` reads "what changed after sequence N" from these.
 */
import type {Database, Statement} from 'better-sqlite3'

const statements = new WeakMap<Database, {next: Statement; tombstone: Statement; tombstoneAll: Statement; dropAll: Statement}>()

function prepared(db: Database) {
  let s = statements.get(db)
  if (!s) {
    s = {
      next: db.prepare('UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value').pluck(),
      tombstone: db.prepare('INSERT INTO edge_tombstones (seq, from_entity, from_id, to_entity, to_id) VALUES (?, ?, ?, ?, ?)'),
      tombstoneAll: db.prepare(
        'INSERT INTO edge_tombstones (seq, from_entity, from_id, to_entity, to_id) SELECT DISTINCT ?, from_entity, from_id, to_entity, to_id FROM associations WHERE (from_entity = ? AND from_id = ?) OR (to_entity = ? AND to_id = ?)',
      ),
      dropAll: db.prepare('DELETE FROM associations WHERE (from_entity = ? AND from_id = ?) OR (to_entity = ? AND to_id = ?)'),
    }
    statements.set(db, s)
  }
  return s
}

/** The next change sequence value; call once inside each write transaction. */
export function nextSeq(db: Database): number {
  return prepared(db).next.get() as number
}

/** The highest change sequence handed out so far (0 for a store nothing was written to). */
export function currentSeq(db: Database): number {
  return (db.prepare('SELECT value FROM change_seq WHERE id = 1').pluck().get() as number | undefined) ?? 0
}

/** Record that the edge from→to was removed in transaction `seq`. */
export function tombstoneEdge(db: Database, seq: number, fromEntity: string, fromId: string, toEntity: string, toId: string): void {
  prepared(db).tombstone.run(seq, fromEntity, fromId, toEntity, toId)
}

/** Delete every edge from or to one record (archived or merged away), leaving tombstones. */
export function dropRecordEdges(db: Database, entity: string, id: string, seq: number): void {
  const s = prepared(db)
  s.tombstoneAll.run(seq, entity, id, entity, id)
  s.dropAll.run(entity, id, entity, id)
}
