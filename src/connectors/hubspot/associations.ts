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
import type {AssociationRow} from '../../core/records.js'
import type {Checkpoint} from '../../core/store-port.js'
import {readAssociations} from './association-reader.js'
import {LIMITS} from './objects.js'
import {recordKey} from './records.js'

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
  key: KeysetPosition | null
  /** per entity, the search start of this run (incremental) */
  since: Record<string, number>
  /** per entity, the object-stream cursor when this run started: the next run's start */
  cursors: Record<string, number | null>
}

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
    stats: client.stats,
  }
}

async function currentCursors(refs: Map<string, EntityRef>, ids: IdSource): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {}
  for (const [entity, ref] of refs) {
    const cp = (await ids.getCheckpoint(ref.stream)) as {cursorTs?: number | null; phase?: string} | null
    out[entity] = cp && cp.phase === 'done' && typeof cp.cursorTs === 'number' ? cp.cursorTs : null
  }
  return out
}

async function begin(prev: AssocCheckpoint | null, refs: Map<string, EntityRef>, ids: IdSource, opts: RunOptions): Promise<AssocCheckpoint> {
  const cursors = await currentCursors(refs, ids)
  const fresh = (mode: AssocCheckpoint['mode'], since: Record<string, number>): AssocCheckpoint => ({v: 1, mode, pair: 0, lastId: null, key: null, since, cursors})
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
  let cp = await begin(prev, refs, ids, opts)
  const size = Math.min(opts.batchSize ?? LIMITS.associationsBatchMax, LIMITS.associationsBatchMax)
  const spools: string[] = []
  const spool = async (list: Iterable<string> | AsyncIterable<string>): Promise<string> => {
    const path = (await spoolIds(list, opts.tmpDir)).path
    spools.push(path)
    return path
  }
  // id lists spooled once per run and entity: an entity's live ids (full mode; contacts and
  // appointments are the from-side of several pairs, and scanning a million-row table takes over
  // a second) and its changed ids, found by keyset search (incremental mode)
  const once = new Map<string, string>()
  const spoolOnce = async (key: string, list: () => Iterable<string> | AsyncIterable<string>): Promise<string> => {
    let path = once.get(key)
    if (!path) {
      path = await spool(list())
      once.set(key, path)
    }
    return path
  }
  const liveIdFile = (entity: string) => spoolOnce(`live:${entity}`, () => ids.liveIds(entity))
  const changedIds = (entity: string) => spoolOnce(`changed:${entity}`, () => searchChanged(refs.get(entity)!, cp.since[entity] ?? 0, opts))
  try {
    for (; cp.pair < pairs.length; cp = {...cp, pair: cp.pair + 1, lastId: null}) {
      const [fromEntity, toEntity] = pairs[cp.pair]
      const from = refs.get(fromEntity)
      const to = refs.get(toEntity)
      if (!from || !to) continue
      const types = {fromType: from.objectType, toType: to.objectType, fromEntity, toEntity}
      let idFile: string
      if (cp.mode === 'full') idFile = await liveIdFile(fromEntity)
      else {
        // changed from-records, then the from-records linked to changed to-records (both directions)
        const reverse = {fromType: to.objectType, toType: from.objectType, fromEntity: toEntity, toEntity: fromEntity}
        const fromChanged = await changedIds(fromEntity)
        const toChanged = await changedIds(toEntity)
        idFile = await spool(concat(readAll(fromChanged), linkedIds(client, reverse, toChanged, opts)))
      }
      // two reads in flight: chunk k+1 is requested before page k is handed out, so the server
      // always has the next read queued while the store writes (pages still come out in order)
      let ahead: {chunk: string[]; rows: Promise<AssociationRow[]>} | null = null
      for await (const chunk of chunkedIds(idFile, size, cp.lastId)) {
        const rows = readAssociations(client, types, chunk, opts.signal)
        rows.catch(() => undefined) // observed below; never an unhandled rejection meanwhile
        if (ahead) {
          cp = {...cp, lastId: ahead.chunk[ahead.chunk.length - 1]}
          yield {fromEntity, toEntity, fromIds: ahead.chunk, rows: await ahead.rows, failed: [], checkpoint: cp as unknown as Checkpoint}
        }
        ahead = {chunk, rows}
      }
      if (ahead) {
        cp = {...cp, lastId: ahead.chunk[ahead.chunk.length - 1]}
        yield {fromEntity, toEntity, fromIds: ahead.chunk, rows: await ahead.rows, failed: [], checkpoint: cp as unknown as Checkpoint}
      }
    }
  } finally {
    for (const p of spools) removeSpool(p)
  }
  const [lastFrom, lastTo] = pairs[pairs.length - 1] ?? ['', '']
  cp = {...cp, mode: 'done', pair: pairs.length, lastId: null, key: null}
  yield {fromEntity: lastFrom, toEntity: lastTo, fromIds: [], rows: [], failed: [], checkpoint: cp as unknown as Checkpoint}
}

/** Ids of an entity's records modified at or after `sinceTs`, by keyset search (never capped at 10,000). */
async function* searchChanged(ref: EntityRef, sinceTs: number, opts: RunOptions): AsyncGenerator<string> {
  let position: KeysetPosition = {ts: sinceTs, id: null}
  const limit = 200
  for (;;) {
    const res = await ref.api.searchPage({from: position, limit, properties: [ref.modifiedProperty]}, opts.signal)
    let last: KeysetPosition | null = null
    for (const r of res.results) {
      const k = recordKey(r, ref.modifiedProperty)
      if (!k) continue
      last = k
      yield k.id as string
    }
    if (res.results.length < limit || !last) return
    if (compareKeys(last, position) <= 0) throw new Error(`association search cursor for ${ref.entity} did not advance`)
    position = last
  }
}

/** From-ids linked to the to-records listed in `toFile` (reverse v4 read, ≤ 1000 per request). */
async function* linkedIds(client: ApiClient, reverse: {fromType: string; toType: string; fromEntity: string; toEntity: string}, toFile: string, opts: RunOptions): AsyncGenerator<string> {
  for await (const chunk of chunkedIds(toFile, LIMITS.associationsBatchMax, null)) {
    for (const row of await readAssociations(client, reverse, chunk, opts.signal)) yield row.toId
  }
}

async function* readAll(file: string): AsyncGenerator<string> {
  for await (const chunk of chunkedIds(file, 1000, null)) yield* chunk
}

async function* concat<T>(...parts: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const p of parts) yield* p
}
