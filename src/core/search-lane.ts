/**
 * The full phase read by two lanes at once (`--lanes list+search`): the list lane pages ids
 * upwards from the start, as a list-only run does; the search lane reads the live records from the
 * other end of the id space, by descending id (`ObjectApi.idRangePage`), each query a new one
 * windowed below the lowest id it has written, so the 10,000-result cap of one search query is
 * never reached. List and search requests draw from different rate-limit buckets, so together they
 * read more records per second than the list alone can (docs/sync.md, Lanes).
 *
 * The lanes meet in the middle and every record is written exactly once: a list page stops at the
 * first id the search lane has written (`searchLow`), a search page at the first id the list lane
 * has written (`listHigh`), and search queries never ask for ids at or below `listHigh`. Whichever
 * lane finds the other ends the phase; the other lane's request in flight is dropped (its records
 * are all covered). Pages are handed out one at a time, each with a checkpoint that holds both
 * lanes' marks as of that page, so a run killed at any point resumes both lanes where their written
 * pages end. The archived sweep that follows stays on the list endpoint.
 *
 * Assumes the list endpoint pages in ascending id order (HubSpot's and the emulator's do).
 */
import type {Checkpoint} from './store-port.js'
import {CursorLoopError, type ObjectCheckpoint} from './checkpoint.js'
import type {ObjectStreamDef, RawPage, RunOptions} from './connector.js'
import {pageSize, processPage, type ObjectPage} from './object-page.js'
import {lowest} from './ids.js'
import type {LaneShare, SearchLaneHold} from './shared-lanes.js'

/** Which lanes a full run reads with. */
export type LaneMode = 'list' | 'list+search'

export const LANE_MODES: readonly LaneMode[] = ['list', 'list+search']

type Lane = 'list' | 'search'

interface Arrival {
  lane: Lane
  raw: RawPage
}

function idOf(item: unknown): string | null {
  const id = (item as {id?: unknown} | null)?.id
  return typeof id === 'string' ? id : null
}

/** Whether this run's full phase reads with two lanes: asked for, supported by the API, or already begun by an earlier run. */
export function usesLanes(def: ObjectStreamDef, cp: ObjectCheckpoint, opts: RunOptions): boolean {
  if (cp.phase !== 'full') return false
  if (cp.lanes) return true
  return opts.lanes === 'list+search' && typeof def.api.idRangePage === 'function'
}

/** On a shared store, a holder whose search lane runs elsewhere tries to take it back every this many list pages (its taker may have died). */
export const RETAKE_EVERY = 5

/**
 * Pages of the full phase from `start` (phase `full`) until the lanes meet; the last page's
 * checkpoint moves on to `full-archived`. With `opts.lanes` = list (a run resumed from a two-lane
 * checkpoint), only the list lane reads, and it still stops at the search lane's mark.
 *
 * With `share` (a store several processes share, src/core/shared-lanes.ts) the search lane runs
 * here only while this process holds its claim, and is handed over when another process asks for
 * it; the list lane then stops at the lower of its own search mark and the one the other process
 * committed.
 */
export async function* twoLanePages(def: ObjectStreamDef, start: ObjectCheckpoint, opts: RunOptions, share?: LaneShare): AsyncGenerator<ObjectPage> {
  const cmp = def.compareIds
  let cp: ObjectCheckpoint = {...start, lanes: start.lanes ? {...start.lanes} : {listHigh: null, searchLow: null}}
  if (share && !cp.lanes!.id) cp.lanes!.id = share.newPhaseId()
  const phaseId = cp.lanes!.id
  const canSearch = opts.lanes !== 'list' && typeof def.api.idRangePage === 'function'
  let hold: SearchLaneHold | null = null
  // the lowest search mark: this process's own, and on a shared store the one another process committed
  const searchLow = async (own: string | null): Promise<string | null> => (share && phaseId ? lowest(cmp, own, await share.searchMark(phaseId)) : own)
  let listPages = 0
  const listLimit = pageSize(def, 'full', opts.batchSize)
  const searchLimit = Math.min(opts.batchSize ?? def.maxSearchPage, def.maxSearchPage)
  // each lane's own position, which runs ahead of the written marks by the page in flight
  let listAfter = cp.after
  let searchBelow = cp.lanes!.searchLow
  const inFlight = new Map<Lane, Promise<Arrival>>()
  const send = (lane: Lane): void => {
    let p: Promise<Arrival>
    if (lane === 'list') p = def.api.listPage({after: listAfter, limit: listLimit, archived: false, properties: def.properties}, opts.signal).then((raw) => ({lane, raw}))
    else {
      p = def.api.idRangePage!({above: cp.lanes!.listHigh, below: searchBelow, limit: searchLimit, properties: def.properties}, opts.signal).then((raw) => ({lane, raw}))
    }
    p.catch(() => undefined) // observed when awaited; never unhandled meanwhile
    inFlight.set(lane, p)
  }
  try {
    if (share && canSearch) hold = await share.takeSearch()
    searchBelow = await searchLow(searchBelow)
    send('list')
    if (canSearch && (!share || hold !== null)) send('search')
    for (;;) {
      const next = await Promise.race(inFlight.values())
      inFlight.delete(next.lane)
      const marks = {...cp.lanes!}
      let met = false
      let kept: unknown[]
      if (next.lane === 'list') {
        const results = next.raw.results
        const low = await searchLow(marks.searchLow)
        kept =
          low === null
            ? results
            : results.filter((r) => {
                const id = idOf(r)
                return id === null || cmp(id, low) < 0
              })
        if (kept.length < results.length || next.raw.after === null) met = true
        if (next.raw.after !== null && next.raw.after === listAfter) throw new CursorLoopError(`list after=${next.raw.after}`)
        listAfter = next.raw.after
        for (const r of kept) {
          const id = idOf(r)
          if (id !== null && (marks.listHigh === null || cmp(id, marks.listHigh) > 0)) marks.listHigh = id
        }
        if (!met) {
          send('list')
          if (share && canSearch && !hold && ++listPages % RETAKE_EVERY === 0) {
            // the search lane's taker may be gone (its claim dies with it): take the lane back from the lowest mark
            hold = await share.takeSearch()
            if (hold) {
              searchBelow = await searchLow(marks.searchLow)
              send('search')
            }
          }
        }
      } else {
        const results = next.raw.results
        kept =
          marks.listHigh === null
            ? results
            : results.filter((r) => {
                const id = idOf(r)
                return id === null || cmp(id, marks.listHigh!) > 0
              })
        // fewer than a page: nothing else lies between the query's bounds; a dropped result: the list lane got there
        if (kept.length < results.length || results.length < searchLimit) met = true
        let low = marks.searchLow
        for (const r of kept) {
          const id = idOf(r)
          if (id !== null && (low === null || cmp(id, low) < 0)) low = id
        }
        if (!met && low === marks.searchLow) throw new CursorLoopError(`search below=${low}`)
        marks.searchLow = low
        searchBelow = low
        if (!met) {
          if (share && hold && (await hold.contended())) {
            // another process asks for the search lane: it goes on from the marks committed so far
            await hold.release()
            hold = null
          } else send('search')
        }
      }
      const {records, deadLetters, merges, facts} = processPage(def, {results: kept, after: null, serverTime: next.raw.serverTime}, next.lane === 'list' ? listLimit : searchLimit)
      const startTs = cp.startTs ?? facts.serverTime ?? null
      const maxTs = facts.maxTs === null ? cp.maxTs : cp.maxTs === null ? facts.maxTs : Math.max(cp.maxTs, facts.maxTs)
      cp = met
        ? {v: 1, phase: 'full-archived', after: null, key: null, maxTs, startTs, cursorTs: cp.cursorTs, pages: cp.pages + 1}
        : {...cp, after: next.lane === 'list' ? listAfter : cp.after, maxTs, startTs, pages: cp.pages + 1, lanes: marks}
      yield {phase: 'full', lane: next.lane, records, merges, deadLetters, fetched: kept.length, checkpoint: cp as unknown as Checkpoint}
      if (met) return
    }
  } finally {
    // the other lane's request in flight covers only ids already written: let it settle quietly
    await Promise.allSettled(inFlight.values())
    await hold?.release()
  }
}
