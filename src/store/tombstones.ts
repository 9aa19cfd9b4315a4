/**
 * Pruning `edge_tombstones` (docs/store-schema.md). A tombstone is read only by an incremental
 * publish, as "an edge removed after my cursor": a full publish (a target's first, `--full`, or a
 * cursor the store cannot serve) reads the edges themselves. So once every saved publish cursor has
 * passed a tombstone no publish reads it again, and a store without any cursor needs none (its
 * first publish is a full one): tombstones up to min(every cursor, the current sequence) are
 * deleted, in batches of PRUNE_BATCH rows, each its own transaction (a sync or publish writing
 * meanwhile waits for one batch at most).
 *
 * A publish that began before a prune and saves its cursor after it (a first publish of a new
 * target, whose cursor no prune knew) may save a cursor below what was pruned. So the prune first
 * raises `tombstones_pruned.through_seq`, and a cursor below it reads as no cursor
 * (changes.ts publishCursor): that target's next publish is a full one, never one that misses a
 * removed edge.
 */
import type {Database} from 'better-sqlite3'
import {currentSeq} from './change-seq.js'

export const PRUNE_BATCH = 10_000

/** Delete the tombstones no publish reads any more; returns how many. */
export function pruneTombstones(db: Database, batch = PRUNE_BATCH): number {
  const through = db
    .transaction(() => {
      const oldest = db.prepare('SELECT min(seq) FROM publish_cursors').pluck().get() as number | null
      const bound = Math.min(oldest ?? Number.POSITIVE_INFINITY, currentSeq(db))
      db.prepare('UPDATE tombstones_pruned SET through_seq = ? WHERE id = 1 AND through_seq < ?').run(bound, bound)
      return bound
    })
    .immediate()
  const drop = db.prepare('DELETE FROM edge_tombstones WHERE rowid IN (SELECT rowid FROM edge_tombstones WHERE seq <= ? LIMIT ?)')
  let pruned = 0
  for (let n = batch; n === batch; pruned += n) n = drop.run(through, batch).changes
  return pruned
}

/** The sequence up to which tombstones may have been pruned (0: none were). */
export function prunedThrough(db: Database): number {
  return (db.prepare('SELECT through_seq FROM tombstones_pruned WHERE id = 1').pluck().get() as number | undefined) ?? 0
}
