/**
 * The object-stream checkpoint and its pure reducer. A checkpoint is saved in the same store
 * transaction as the page it covers (see docs/cursor-design.md).
 *
 * Phases: a full run pages the list endpoint (`full`) then the archived list (`full-archived`);
 * an incremental run pages search by the compound (modified, id) keyset (`search`) then the
 * archived list (`archived`). `done` holds the committed cursor for the next run.
 */
import type {KeysetPosition} from './connector.js'
import {compareIds} from './ids.js'

export type Phase = 'full' | 'full-archived' | 'search' | 'archived' | 'done'

export interface ObjectCheckpoint {
  v: 1
  phase: Phase
  /** list paging cursor within the full / archived phases */
  after: string | null
  /** search keyset position within the search phase */
  key: KeysetPosition | null
  /** highest modified timestamp seen in this run (epoch ms) */
  maxTs: number | null
  /** server time when this run started (epoch ms) */
  startTs: number | null
  /** committed cursor: the next incremental run searches from cursorTs - lookback */
  cursorTs: number | null
  /** pages written in this run (diagnostics) */
  pages: number
  /**
   * full phase read by two lanes (src/core/search-lane.ts): every live id up to `listHigh` came
   * through the list, every id from `searchLow` up through search by descending id. Absent for a
   * list-only run.
   */
  lanes?: LaneMarks
}

/** How far each lane of a two-lane full phase has written (ids; null: not started). */
export interface LaneMarks {
  listHigh: string | null
  searchLow: string | null
  /**
   * on a store shared by several processes: this full phase's identity, which a search lane run by
   * another process writes with its marks (src/core/shared-lanes.ts), so that marks of an earlier
   * phase are never taken for this one's
   */
  id?: string
}

/** What one fetched page tells the reducer. */
export interface PageFacts {
  /** list cursor for the next page, null when the list is exhausted */
  after: string | null
  /** (modified, id) of the last record of a search page, in sort order */
  last: KeysetPosition | null
  /** highest modified timestamp among the page's records */
  maxTs: number | null
  /** number of results the API returned */
  count: number
  /** page size requested */
  limit: number
  serverTime?: number
}

export class CursorLoopError extends Error {
  constructor(detail: string) {
    super(`cursor did not advance (${detail}); the API returned the same page twice`)
    this.name = 'CursorLoopError'
  }
}

/** Parse a stored checkpoint; anything unrecognised counts as "no checkpoint" (a full sync). */
export function parseCheckpoint(raw: unknown): ObjectCheckpoint | null {
  if (!raw || typeof raw !== 'object') return null
  const c = raw as Partial<ObjectCheckpoint>
  if (c.v !== 1 || typeof c.phase !== 'string') return null
  const cp: ObjectCheckpoint = {v: 1, phase: c.phase, after: c.after ?? null, key: c.key ?? null, maxTs: c.maxTs ?? null, startTs: c.startTs ?? null, cursorTs: c.cursorTs ?? null, pages: c.pages ?? 0}
  const l = c.lanes
  if (c.phase === 'full' && l && typeof l === 'object') {
    cp.lanes = {listHigh: typeof l.listHigh === 'string' ? l.listHigh : null, searchLow: typeof l.searchLow === 'string' ? l.searchLow : null}
    if (typeof l.id === 'string') cp.lanes.id = l.id
  }
  return cp
}

/**
 * The checkpoint a run starts from. A run in progress is resumed unless `full` or `since` is
 * given; a finished one starts an incremental run at cursorTs - lookback; none starts a full run.
 */
export function begin(prev: ObjectCheckpoint | null, opts: {full: boolean; since: number | null; lookbackMs: number}): ObjectCheckpoint {
  const fresh = (phase: Phase, key: KeysetPosition | null, cursorTs: number | null): ObjectCheckpoint => ({v: 1, phase, after: null, key, maxTs: null, startTs: null, cursorTs, pages: 0})
  if (opts.full) return fresh('full', null, null)
  if (opts.since !== null) return fresh('search', {ts: opts.since, id: null}, prev?.cursorTs ?? null)
  if (!prev) return fresh('full', null, null)
  if (prev.phase !== 'done') return prev
  if (prev.cursorTs === null) return fresh('full', null, null)
  return fresh('search', {ts: Math.max(0, prev.cursorTs - opts.lookbackMs), id: null}, prev.cursorTs)
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}

/** Compare keyset positions in (ts, id) order (ids by `cmp`, the stream's id order); a null id sorts before every id. */
export function compareKeys(a: KeysetPosition, b: KeysetPosition, cmp: (a: string, b: string) => number = compareIds): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1
  if (a.id === b.id) return 0
  if (a.id === null) return -1
  if (b.id === null) return 1
  return cmp(a.id, b.id)
}

/**
 * Pure reducer: the checkpoint after writing one page. Throws CursorLoopError when a page would
 * not move the cursor forward (the same list cursor or keyset position again).
 */
export function next(cp: ObjectCheckpoint, page: PageFacts, cmp: (a: string, b: string) => number = compareIds): ObjectCheckpoint {
  const startTs = cp.startTs ?? page.serverTime ?? null
  const maxTs = maxOf(cp.maxTs, page.maxTs)
  const base = {...cp, startTs, maxTs, pages: cp.pages + 1}
  switch (cp.phase) {
    case 'full':
    case 'archived':
    case 'full-archived': {
      if (page.after !== null && page.after === cp.after) throw new CursorLoopError(`list after=${page.after}`)
      if (page.after !== null) return {...base, after: page.after}
      if (cp.phase === 'full') return {...base, phase: 'full-archived', after: null, lanes: undefined}
      return finish(base)
    }
    case 'search': {
      if (page.last && cp.key && compareKeys(page.last, cp.key, cmp) <= 0) throw new CursorLoopError(`search key ${page.last.ts}/${page.last.id}`)
      if (!page.last && page.count >= page.limit) throw new CursorLoopError('a full search page without a readable (modified, id) key')
      const key = page.last ?? cp.key
      if (page.count < page.limit) return {...base, key, phase: 'archived', after: null}
      return {...base, key}
    }
    case 'done':
      return cp
  }
}

/**
 * Close a run: the committed cursor is the highest modified time seen, never beyond the server
 * time at the start of a full run (records changed while a full run pages may sort anywhere).
 */
function finish(cp: ObjectCheckpoint): ObjectCheckpoint {
  const wasFull = cp.key === null
  let cursorTs: number | null
  if (wasFull) cursorTs = cp.startTs !== null && cp.maxTs !== null ? Math.min(cp.startTs, cp.maxTs) : (cp.maxTs ?? cp.startTs)
  else cursorTs = maxOf(cp.cursorTs, cp.maxTs)
  return {v: 1, phase: 'done', after: null, key: null, maxTs: null, startTs: null, cursorTs, pages: cp.pages}
}
