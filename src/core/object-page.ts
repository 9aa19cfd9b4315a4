/**
 * One page of an object stream, as every way of reading the stream hands it to the sink (the list
 * and search phases in incremental.ts, the two lanes of a full phase in search-lane.ts and
 * shared-lanes.ts): a raw API page turned into valid records, dead letters and merges.
 */
import type {CrmRecord} from './records.js'
import type {Checkpoint, DeadLetter} from './store-port.js'
import type {PageFacts, Phase} from './checkpoint.js'
import type {KeysetPosition, ObjectStreamDef, RawPage} from './connector.js'

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
