/**
 * The incremental logic, once for every connector: a full run pages the list endpoint (then the
 * archived list, kept as tombstones); an incremental run pages search by the compound
 * (modified, id) keyset from cursor - look-back, then sweeps the archived list. Every page carries
 * the checkpoint that covers it. See docs/cursor-design.md.
 */
import type {CrmRecord} from './records.js'
import type {Checkpoint, DeadLetter} from './store-port.js'
import {begin, next, parseCheckpoint, type ObjectCheckpoint, type PageFacts, type Phase} from './checkpoint.js'
import type {KeysetPosition, ObjectStreamDef, RawPage, RunOptions} from './connector.js'
import {twoLanePages, usesLanes} from './search-lane.js'
import type {LaneShare} from './shared-lanes.js'

/** One page ready for the sink: records to upsert/tombstone, merges to apply, and its checkpoint. */
export interface ObjectPage {
  phase: Phase
  records: CrmRecord[]
  merges: Array<{loserId: string; survivorId: string}>
  deadLetters: DeadLetter[]
  /** results the API returned (before validation and de-duplication; in a two-lane full phase, those not already read by the other lane) */
  fetched: number
  checkpoint: Checkpoint
  /** in a two-lane full phase (src/core/search-lane.ts), which lane read the page */
  lane?: 'list' | 'search'
}

/** Convert a raw page: valid records (de-duplicated by id, newest updatedAt wins), dead letters, merges, facts. */
export function processPage(def: ObjectStreamDef, raw: RawPage, limit: number): {records: CrmRecord[]; deadLetters: DeadLetter[]; merges: ObjectPage['merges']; facts: PageFacts} {
  const byId = new Map<string, CrmRecord>()
  const deadLetters: DeadLetter[] = []
  let maxTs: number | null = null
  let last: KeysetPosition | null = null
  for (const item of raw.results) {
    const key = def.keyOf(item)
    if (key) {
      last = key
      maxTs = maxTs === null ? key.ts : Math.max(maxTs, key.ts)
    }
    try {
      const rec = def.toRecord(item)
      const seen = byId.get(rec.id)
      if (!seen || seen.updatedAt <= rec.updatedAt) byId.set(rec.id, rec)
    } catch (err) {
      const id = (item as {id?: unknown} | null)?.id
      deadLetters.push({stream: def.name, recordId: typeof id === 'string' ? id : null, payload: item, reason: (err as Error).message})
    }
  }
  const records = [...byId.values()]
  const merges: ObjectPage['merges'] = []
  for (const rec of records) {
    if (rec.archived) continue
    for (const loserId of def.mergedIds(rec)) if (loserId !== rec.id) merges.push({loserId, survivorId: rec.id})
  }
  return {records, deadLetters, merges, facts: {after: raw.after, last, maxTs, count: raw.results.length, limit, serverTime: raw.serverTime}}
}

/** The page size for a phase: --batch-size when given, else the endpoint maximum. */
export function pageSize(def: ObjectStreamDef, phase: Phase, batchSize: number | null): number {
  const max = phase === 'search' ? def.maxSearchPage : def.maxListPage
  return Math.min(batchSize ?? max, max)
}

/** Pages of one object stream from its stored checkpoint to `done` (`share`: its full phase's lanes may be split with other processes, src/core/shared-lanes.ts). */
export async function* objectPages(def: ObjectStreamDef, stored: Checkpoint | null, opts: RunOptions, share?: LaneShare): AsyncGenerator<ObjectPage> {
  let cp: ObjectCheckpoint = begin(parseCheckpoint(stored), opts)
  if (usesLanes(def, cp, opts)) {
    for await (const page of twoLanePages(def, cp, opts, share)) {
      cp = page.checkpoint as unknown as ObjectCheckpoint
      yield page
    }
  }
  while (cp.phase !== 'done') {
    const phase = cp.phase
    const limit = pageSize(def, phase, opts.batchSize)
    const raw =
      phase === 'search'
        ? await def.api.searchPage({from: cp.key ?? {ts: 0, id: null}, limit, properties: def.properties}, opts.signal)
        : await def.api.listPage({after: cp.after, limit, archived: phase !== 'full', properties: def.properties}, opts.signal)
    const {records, deadLetters, merges, facts} = processPage(def, raw, limit)
    cp = next(cp, facts, def.compareIds)
    yield {phase, records, merges, deadLetters, fetched: raw.results.length, checkpoint: cp as unknown as Checkpoint}
  }
}
