/**
 * A two-lane full phase (src/core/search-lane.ts) split over processes that share a store with
 * claims (PostgreSQL): the process holding a stream runs its list lane; its search lane is a claim
 * of its own (`<stream>#search`), so another process with nothing else to do can take the search
 * lane over and write its pages in parallel, from its own process, on its own connection.
 *
 * - The stream's holder takes the search-lane claim itself when it starts and runs both lanes
 *   in-process, as a lone process does. Before each search request it asks whether another process
 *   is waiting for that claim; if so it stops its search lane and releases the claim (the request in
 *   flight is still written: overlap is harmless, upserts are idempotent).
 * - The taker (`joinSearchLane`) reads the holder's committed checkpoint before each page (its
 *   `listHigh` bounds the query, its phase id tells that the phase is still the same) and commits
 *   its pages with its own checkpoint row `<stream>#search` (`SearchMark`), never the holder's.
 * - The holder's list lane reads that row before each page and stops at the lower of both search
 *   marks; the list lane always ends the phase. Every live id up to `listHigh` came through the list,
 *   every id from the lowest committed search mark up through search, so nothing is lost whichever
 *   process dies: a dead taker's claim is released and the holder's list lane goes on up to the
 *   taker's committed mark (or the holder takes the search lane back); a dead holder's stream claim
 *   is released and the process that takes the stream over resumes its list lane from the stream's
 *   checkpoint, reading the taker's row the same way.
 */
import {randomUUID} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'
import {CursorLoopError, parseCheckpoint, type ObjectCheckpoint} from './checkpoint.js'
import type {ObjectStreamDef, RunOptions, StreamDef} from './connector.js'
import {processPage, type ObjectPage} from './object-page.js'
import {lowest} from './ids.js'
import type {Checkpoint, SyncStore} from './store-port.js'

function idOf(item: unknown): string | null {
  const id = (item as {id?: unknown} | null)?.id
  return typeof id === 'string' ? id : null
}

/** The checkpoint row (and claim) of a stream's search lane run by another process. */
export function searchLaneName(stream: string): string {
  return `${stream}#search`
}

/** Whether a checkpoint row or run-count key is a search lane's (`sync status` lists streams only). */
export function isLaneName(name: string): boolean {
  return name.endsWith('#search')
}

/** What a search lane run by another process has committed for the full phase `id`. */
export interface SearchMark {
  v: 1
  lane: 'search'
  /** the holder's phase id (`LaneMarks.id`) these marks belong to */
  id: string
  /** every live id from here up has been written by search */
  searchLow: string | null
  /** the lane found the list lane's mark: nothing lies between */
  met: boolean
  pages: number
}

export function parseSearchMark(raw: unknown): SearchMark | null {
  const m = raw as Partial<SearchMark> | null
  if (!m || m.v !== 1 || m.lane !== 'search' || typeof m.id !== 'string') return null
  return {v: 1, lane: 'search', id: m.id, searchLow: typeof m.searchLow === 'string' ? m.searchLow : null, met: m.met === true, pages: m.pages ?? 0}
}

/** The holder's side of a shared two-lane phase: its view of the search lane's claim and marks. */
export interface LaneShare {
  /** a new phase id for a full phase begun by this process */
  newPhaseId(): string
  /** the search mark another process committed for phase `id` (null: none) */
  searchMark(id: string): Promise<string | null>
  /** take the search lane for this process without waiting; null when another process runs it */
  takeSearch(): Promise<SearchLaneHold | null>
}

export interface SearchLaneHold {
  /** another process waits to take the search lane over */
  contended(): Promise<boolean>
  release(): Promise<void>
}

/** The lane share of `stream` on a store with claims; undefined on one without (SQLite: one process, both lanes in it). */
export function storeLaneShare(store: SyncStore, stream: string): LaneShare | undefined {
  const claim = store.claimStream?.bind(store)
  if (!claim) return undefined
  return {
    newPhaseId: () => randomUUID(),
    async searchMark(id) {
      const m = parseSearchMark(await store.getCheckpoint(searchLaneName(stream)))
      return m && m.id === id ? m.searchLow : null
    },
    async takeSearch() {
      const c = await claim(searchLaneName(stream), {wait: false})
      if (!c) return null
      return {contended: async () => (await c.contended?.()) ?? false, release: async () => void (await c.release(false))}
    },
  }
}

/** What the taker's lane reads from the store before each page. */
export interface LaneReads {
  /** the holder's committed checkpoint of the stream */
  holder(): Promise<ObjectCheckpoint | null>
  /** this lane's own committed row */
  own(): Promise<SearchMark | null>
}

/**
 * The taker's search lane: pages by descending id below the lower of both search marks and above
 * the holder's `listHigh`, each with its `SearchMark`, until it meets the list lane or the holder's
 * phase is over (or is another phase: then nothing is written).
 */
export async function* searchLanePages(def: ObjectStreamDef, reads: LaneReads, opts: RunOptions): AsyncGenerator<ObjectPage> {
  const cmp = def.compareIds
  const limit = Math.min(opts.batchSize ?? def.maxSearchPage, def.maxSearchPage)
  const current = async (id: string | null): Promise<ObjectCheckpoint | null> => {
    const cp = await reads.holder()
    return cp?.phase === 'full' && cp.lanes?.id && (id === null || cp.lanes.id === id) ? cp : null
  }
  const first = await current(null)
  if (!first) return
  const id = first.lanes!.id!
  const own = await reads.own()
  let low = lowest(cmp, first.lanes!.searchLow, own?.id === id ? own.searchLow : null)
  let pages = own?.id === id ? own.pages : 0
  let before: ObjectCheckpoint | null = first
  for (;;) {
    const raw = await def.api.idRangePage!({above: before.lanes!.listHigh, below: low, limit, properties: def.properties}, opts.signal)
    // the freshest list mark: what the list lane wrote meanwhile is not written again
    const now = await current(id)
    if (!now) return // the list lane met the search marks and ended the phase (or a new phase began): all written
    const listHigh = now.lanes!.listHigh
    const results = raw.results
    const kept = listHigh === null ? results : results.filter((r) => idOf(r) === null || cmp(idOf(r)!, listHigh) > 0)
    const met = kept.length < results.length || results.length < limit
    let next = low
    for (const r of kept) next = lowest(cmp, next, idOf(r))
    if (!met && next === low) throw new CursorLoopError(`search below=${low}`)
    low = next
    pages++
    const {records, deadLetters, merges} = processPage(def, {results: kept, after: null, serverTime: raw.serverTime}, limit)
    const mark: SearchMark = {v: 1, lane: 'search', id, searchLow: low, met, pages}
    yield {phase: 'full', lane: 'search', records, merges, deadLetters, fetched: kept.length, checkpoint: mark as unknown as Checkpoint}
    if (met) return
    before = now
  }
}

/** How long a process that wants a held stream's search lane waits for the holder's full phase to show its lane marks. */
export const JOIN_WAIT_MS = 5000
const JOIN_POLL_MS = 200

type Log = (event: string, fields: Record<string, unknown>) => void

/**
 * Take over the search lane of `def`, held by another process, when its full phase reads with two
 * lanes: wait (up to JOIN_WAIT_MS) for the holder's phase to show its marks, then for the lane's
 * claim (the holder hands it over at its next search page, or releases it when the phase ends),
 * and run the lane with `run`. Returns without running anything when there is no such lane, or
 * when the stream's claim turns out free (its holder finished or died: the caller claims it).
 */
export async function joinSearchLane(store: SyncStore, def: StreamDef, opts: RunOptions, run: (def: ObjectStreamDef) => Promise<void>, log: Log): Promise<void> {
  if (!store.claimStream || def.kind !== 'object' || opts.lanes !== 'list+search' || typeof def.api.idRangePage !== 'function') return
  const deadline = Date.now() + JOIN_WAIT_MS
  let first: string | undefined
  for (;;) {
    const raw = await store.getCheckpoint(def.name)
    const cp = parseCheckpoint(raw)
    if (cp?.phase === 'full' && cp.lanes?.id) break
    // an incremental run, or a phase past its lanes: no search lane to take; the holder committed
    // something else than what the stream showed when this process came (a short incremental run
    // went from done to done): neither
    const seen = JSON.stringify(raw)
    first ??= seen
    if ((cp && cp.phase !== 'full' && cp.phase !== 'done') || seen !== first || Date.now() >= deadline) return
    // no phase begun (yet): the holder may be gone already (finished, or dead): then the stream is free
    const free = await store.claimStream(def.name, {wait: false, signal: opts.signal})
    if (free) {
      await free.release(false)
      return
    }
    try {
      await sleep(JOIN_POLL_MS, undefined, {signal: opts.signal})
    } catch {
      return // interrupted: the runner reports it
    }
  }
  const claim = await store.claimStream(searchLaneName(def.name), {wait: true, signal: opts.signal})
  if (!claim) return
  try {
    log('search lane taken over', {stream: def.name})
    await run(def)
  } finally {
    await claim.release(false)
  }
}
