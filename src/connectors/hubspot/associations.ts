/**
 * The associations stream. A full run refreshes the edges of every live from-record of every pair;
 * an incremental run refreshes the from-records changed since the last run, plus the from-records
 * linked to changed to-records (both directions), found through keyset search. Each page replaces
 * the edges of its from-ids (removed edges disappear) atomically with the checkpoint.
 */
import type {AssociationPage, AssociationStreamDef, IdSource, KeysetPosition, ObjectApi, RunOptions} from '../../core/connector.js'
import {compareKeys} from '../../core/checkpoint.js'
import type {ApiClient} from '../../core/http-types.js'
import {chunkedIds, removeSpool, spoolIds} from '../../core/id-spool.js'
import {rawKey} from '../../core/incremental.js'
import type {Checkpoint} from '../../store/types.js'
import {readAssociations} from './association-reader.js'
import {LIMITS} from './objects.js'

/** What the associations stream needs to know about each object entity. */
export interface EntityRef {
  entity: string
  /** object type id used in v4 paths */
  objectType: string
  /** the object stream's name (its checkpoint holds the entity's cursor) */
  stream: string
  modifiedProperty: string
  api: ObjectApi
}

interface AssocCheckpoint {
  v: 1
  mode: 'full' | 'incremental' | 'done'
  pair: number
  /** full mode: last from-id written in the current pair */
  lastId: string | null
  /** incremental mode: 'from' = changed from-records, 'to' = changed to-records */
  side: 'from' | 'to'
  key: KeysetPosition | null
  /** per entity, the search start of this run (incremental) */
  since: Record<string, number>
  /** per entity, the object-stream cursor when this run started: the next run's start */
  cursors: Record<string, number | null>
}

/** key.ts marking a finished search side */
const SIDE_DONE = Number.MAX_SAFE_INTEGER

function parse(raw: Checkpoint | null): AssocCheckpoint | null {
  const c = raw as Partial<AssocCheckpoint> | null
  return c && c.v === 1 && typeof c.mode === 'string' ? (c as AssocCheckpoint) : null
}

/** Build the associations stream for `pairs` of entities. */
export function associationStream(client: ApiClient, refs: Map<string, EntityRef>, pairs: Array<[string, string]>): AssociationStreamDef {
  return {
    kind: 'associations',
    name: 'associations',
    entity: 'associations',
    pages: (stored, ids, opts) => pages(client, refs, pairs, parse(stored), ids, opts),
  }
}

function currentCursors(refs: Map<string, EntityRef>, ids: IdSource): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const [entity, ref] of refs) {
    const cp = ids.getCheckpoint(ref.stream) as {cursorTs?: number | null; phase?: string} | null
    out[entity] = cp && cp.phase === 'done' && typeof cp.cursorTs === 'number' ? cp.cursorTs : null
  }
  return out
}

function begin(prev: AssocCheckpoint | null, refs: Map<string, EntityRef>, ids: IdSource, opts: RunOptions): AssocCheckpoint {
  const cursors = currentCursors(refs, ids)
  const fresh = (mode: AssocCheckpoint['mode'], since: Record<string, number>): AssocCheckpoint => ({v: 1, mode, pair: 0, lastId: null, side: 'from', key: null, since, cursors})
  if (opts.full) return fresh('full', {})
  if (opts.since !== null) return fresh('incremental', Object.fromEntries([...refs.keys()].map((e) => [e, opts.since as number])))
  if (prev && prev.mode !== 'done') return prev
  if (!prev) return fresh('full', {})
  const since: Record<string, number> = {}
  for (const e of refs.keys()) {
    const c = prev.cursors[e]
    if (c === null || c === undefined) return fresh('full', {})
    since[e] = Math.max(0, c - opts.lookbackMs)
  }
  return fresh('incremental', since)
}

async function* pages(client: ApiClient, refs: Map<string, EntityRef>, pairs: Array<[string, string]>, prev: AssocCheckpoint | null, ids: IdSource, opts: RunOptions): AsyncGenerator<AssociationPage> {
  let cp = begin(prev, refs, ids, opts)
  const size = Math.min(opts.batchSize ?? LIMITS.associationsBatchMax, LIMITS.associationsBatchMax)
  for (; cp.pair < pairs.length; cp = {...cp, pair: cp.pair + 1, lastId: null, side: 'from', key: null}) {
    const [fromEntity, toEntity] = pairs[cp.pair]
    const from = refs.get(fromEntity)
    const to = refs.get(toEntity)
    if (!from || !to) continue
    const types = {fromType: from.objectType, toType: to.objectType, fromEntity, toEntity}
    const read = async (fromIds: string[]): Promise<Omit<AssociationPage, 'checkpoint'>> => {
      const rows = await readAssociations(client, types, fromIds, opts.signal)
      return {fromEntity, toEntity, fromIds, rows, failed: []}
    }
    if (cp.mode === 'full') {
      const spool = await spoolIds(ids.liveIds(fromEntity), opts.tmpDir)
      try {
        for await (const chunk of chunkedIds(spool.path, size, cp.lastId)) {
          const page = await read(chunk)
          cp = {...cp, lastId: chunk[chunk.length - 1]}
          yield {...page, checkpoint: cp as unknown as Checkpoint}
        }
      } finally {
        removeSpool(spool.path)
      }
      continue
    }
    // incremental: changed from-records, then from-records linked to changed to-records
    const reverse = {fromType: to.objectType, toType: from.objectType, fromEntity: toEntity, toEntity: fromEntity}
    for (const side of cp.side === 'to' ? (['to'] as const) : (['from', 'to'] as const)) {
      if (side !== cp.side) cp = {...cp, side, key: null}
      const ref = side === 'from' ? from : to
      const searchLimit = Math.min(opts.batchSize ?? 200, 200)
      while (cp.key?.ts !== SIDE_DONE) {
        const position = cp.key ?? {ts: cp.since[ref.entity] ?? 0, id: null}
        const res = await ref.api.searchPage({from: position, limit: searchLimit, properties: [ref.modifiedProperty]}, opts.signal)
        const changed: string[] = []
        let last: KeysetPosition | null = null
        for (const r of res.results) {
          const k = rawKey(r, ref.modifiedProperty)
          if (!k) continue
          changed.push(k.id as string)
          last = k
        }
        if (last && compareKeys(last, position) <= 0) throw new Error(`association search cursor for ${ref.entity} did not advance`)
        let fromIds = changed
        if (side === 'to' && changed.length > 0) {
          const linked = await readAssociations(client, reverse, changed, opts.signal)
          fromIds = [...new Set(linked.map((r) => r.toId))]
        }
        const done = res.results.length < searchLimit || !last
        cp = {...cp, key: done ? {ts: SIDE_DONE, id: null} : last}
        const page = fromIds.length > 0 ? await read(fromIds) : {fromEntity, toEntity, fromIds: [], rows: [], failed: []}
        yield {...page, checkpoint: cp as unknown as Checkpoint}
      }
    }
  }
  const [lastFrom, lastTo] = pairs[pairs.length - 1] ?? ['', '']
  cp = {...cp, mode: 'done', pair: pairs.length, lastId: null, key: null}
  yield {fromEntity: lastFrom, toEntity: lastTo, fromIds: [], rows: [], failed: [], checkpoint: cp as unknown as Checkpoint}
}
