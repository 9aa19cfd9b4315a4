/**
 * The `sync status` result from what any store reads: checkpoints, counts, dead letters, runs.
 * Pure: the SQLite and PostgreSQL stores each read the parts, this puts them together.
 */
import type {Checkpoint, RunRecord, StreamStatusLine, SyncStatusResult} from '../core/store-port.js'
import {isLaneName} from '../core/shared-lanes.js'
import {cursorView} from './cursor-view.js'

export interface StatusParts {
  db: string
  schemaVersion: number
  checkpoints: Map<string, {value: Checkpoint; updatedAt: string}>
  deadLetters: Map<string, number>
  /** recent runs, newest first */
  runs: RunRecord[]
  entities: string[]
  counts: Map<string, {rows: number; tombstones: number; merged: number}>
  edges: number
  /** the last successful run (the runs above may all be failures); the newest ok one among them when absent */
  lastSuccess?: {id: number; finishedAt: string | null} | null
}

/** One line per entity or checkpointed stream, then the totals. */
export function assembleStatus(p: StatusParts): SyncStatusResult {
  const {checkpoints, deadLetters: dead, runs, counts, edges} = p
  // a search lane's own checkpoint row (another process's half of a stream's full phase) is part of its stream, not one of its own
  const names = [...new Set([...p.entities, ...[...checkpoints.keys()].filter((n) => !isLaneName(n)), ...dead.keys(), ...(edges > 0 ? ['associations'] : [])])].sort()
  const streams = names.map((stream): StreamStatusLine => {
    const cp = checkpoints.get(stream)
    const c = counts.get(stream)
    const run = runs.find((r) => Object.prototype.hasOwnProperty.call(r.counts, stream)) ?? null
    const view = cursorView(cp?.value)
    return {
      stream,
      cursor: cp?.value ?? null,
      cursorUpdatedAt: cp?.updatedAt ?? null,
      cursorAt: view.at === null ? null : new Date(view.at).toISOString(),
      cursorId: view.id,
      cursorPhase: view.phase,
      rows: c ? c.rows : stream === 'associations' ? edges : null,
      tombstones: c ? c.tombstones : null,
      merged: c ? c.merged : null,
      deadLetters: dead.get(stream) ?? 0,
      lastRun: run && {
        id: run.id,
        command: run.command,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        status: run.status,
        requests: run.requests,
        errors: run.errors,
        stream: run.counts[stream],
      },
    }
  })
  return {
    db: p.db,
    schemaVersion: p.schemaVersion,
    streams,
    lastRun: runs[0] ?? null,
    lastSuccess: p.lastSuccess !== undefined ? p.lastSuccess : ((r) => (r ? {id: r.id, finishedAt: r.finishedAt} : null))(runs.find((r) => r.status === 'ok')),
    totals: {
      records: [...counts.values()].reduce((a, c) => a + c.rows, 0),
      tombstones: [...counts.values()].reduce((a, c) => a + c.tombstones, 0),
      associations: edges,
      deadLetters: [...dead.values()].reduce((a, n) => a + n, 0),
    },
  }
}
