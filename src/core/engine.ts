/**
 * The engine: source → processor → sink. Async pages come in (the next one already requested while
 * the current one is written); each page goes out as ONE synchronous store transaction carrying
 * its checkpoint. One bad record is dead-lettered; it never aborts the run.
 */
import type {SyncStore} from './store-port.js'
import type {AssociationStreamDef, ObjectStreamDef, RunOptions, StreamDef, SyncMode} from './connector.js'
import {begin, parseCheckpoint} from './checkpoint.js'
import {objectPages} from './incremental.js'
import {parseSearchMark, searchLaneName, searchLanePages, storeLaneShare} from './shared-lanes.js'
import {addCounts, emptyCounts, statsDelta, type StreamResult} from './metrics.js'
import {prefetched} from './prefetch.js'

/** Progress and log hooks; all optional. */
export interface EngineHooks {
  /** a stream begins (before its first request) */
  onStreamStart?(stream: string): void
  /** an object stream knows its plan: full or incremental and, when `estimateTotals` is set and the API can tell cheaply, about how many records it will read */
  onStreamPlan?(stream: string, info: {mode: SyncMode; estimate: number | null}): void
  /** `fetched` by this page, `total` so far in this run, `requests` this stream has made so far */
  onPage?(stream: string, info: {fetched: number; phase: string; total: number; requests: number}): void
  /** a stream ended (ok or not): its final figures */
  onStreamEnd?(stream: string, result: StreamResult): void
  log?(event: string, fields: Record<string, unknown>): void
}

export interface EngineContext {
  store: SyncStore
  opts: RunOptions
  hooks?: EngineHooks
  /** spend one cheap request per object stream on `ObjectApi.estimateTotal` (for a progress display) */
  estimateTotals?: boolean
}

/** Run one stream to completion (or until an error is thrown, with every written page checkpointed). */
export function runStream(def: StreamDef, ctx: EngineContext): Promise<StreamResult> {
  return measured(def, def.name, ctx, (result) => (def.kind === 'object' ? runObjects(def, ctx, result) : runAssociations(def, ctx, result)))
}

/**
 * Run the search lane of `def`'s full phase for the process holding the stream (another one),
 * writing under the lane's own checkpoint (src/core/shared-lanes.ts); its result is named
 * `<stream>#search`. The caller holds the lane's claim.
 */
export function runSearchLane(def: ObjectStreamDef, ctx: EngineContext): Promise<StreamResult> {
  return measured(def, searchLaneName(def.name), ctx, async (result) => {
    const {store, opts, hooks} = ctx
    const lane = searchLaneName(def.name)
    result.mode = 'full'
    // the holder's phase may be over by the time the lane's claim came: then not even a schema request
    const holder = parseCheckpoint(await store.getCheckpoint(def.name))
    if (holder?.phase !== 'full' || !holder.lanes?.id) return
    if (!opts.signal?.aborted) await store.ensureEntity({entity: def.entity, properties: await def.describe(opts.signal)})
    const reads = {holder: async () => parseCheckpoint(await store.getCheckpoint(def.name)), own: async () => parseSearchMark(await store.getCheckpoint(lane))}
    let checkpoint = await store.getCheckpoint(lane)
    const before = def.stats.requests
    for await (const page of prefetched(searchLanePages(def, reads, opts))) {
      result.pages++
      result.searchRequests++
      result.fetched += page.fetched
      for (const dl of page.deadLetters) await store.addDeadLetter(dl)
      result.deadLetters += page.deadLetters.length
      if (page.merges.length > 0) addCounts(result.counts, await store.applyMerges(lane, def.entity, page.merges, checkpoint))
      addCounts(result.counts, await store.applyRecords(lane, def.entity, page.records, page.checkpoint))
      checkpoint = page.checkpoint
      hooks?.onPage?.(lane, {fetched: page.fetched, phase: page.phase, total: result.fetched, requests: def.stats.requests - before})
      hooks?.log?.('page', {stream: def.name, phase: page.phase, lane: 'search', fetched: page.fetched, written: page.records.length, merges: page.merges.length, deadLetters: page.deadLetters.length})
    }
  })
}

async function measured(def: StreamDef, name: string, ctx: EngineContext, body: (result: StreamResult) => Promise<void>): Promise<StreamResult> {
  const started = performance.now()
  const before = {...def.stats}
  const result: StreamResult = {
    stream: name,
    entity: def.entity,
    status: 'ok',
    fetched: 0,
    counts: emptyCounts(),
    requests: 0,
    searchRequests: 0,
    rateLimited: 0,
    retries: 0,
    deadLetters: 0,
    pages: 0,
    seconds: 0,
    recordsPerSecond: 0,
  }
  const finish = (): StreamResult => {
    Object.assign(result, statsDelta(def.stats, before))
    result.seconds = (performance.now() - started) / 1000
    result.recordsPerSecond = result.seconds > 0 ? Math.round(result.fetched / result.seconds) : 0
    return result
  }
  ctx.hooks?.onStreamStart?.(name)
  try {
    await body(result)
  } catch (err) {
    finish()
    ;(err as Error & {partial?: StreamResult}).partial = result
    ctx.hooks?.onStreamEnd?.(name, {...result, status: 'failed'})
    throw err
  }
  finish()
  ctx.hooks?.onStreamEnd?.(name, result)
  return result
}

/** Full or incremental, from where the stored checkpoint makes `objectPages` begin; and the estimate the progress display asked for. */
async function startObjects(def: ObjectStreamDef, checkpoint: unknown, ctx: EngineContext): Promise<{mode: SyncMode; estimate: number | null}> {
  const first = begin(parseCheckpoint(checkpoint), ctx.opts)
  const mode: SyncMode = first.phase === 'full' || first.phase === 'full-archived' ? 'full' : 'incremental'
  let estimate: number | null = null
  if (ctx.estimateTotals && def.api.estimateTotal && !ctx.opts.signal?.aborted) {
    const sinceTs = mode === 'incremental' && first.phase === 'search' ? (first.key?.ts ?? null) : null
    estimate = await def.api.estimateTotal({sinceTs}, ctx.opts.signal).catch(() => null) // a display nicety: never fails the sync
  }
  return {mode, estimate}
}

async function runObjects(def: ObjectStreamDef, ctx: EngineContext, result: StreamResult): Promise<void> {
  const {store, opts, hooks} = ctx
  if (!opts.signal?.aborted) await store.ensureEntity({entity: def.entity, properties: await def.describe(opts.signal)})
  let checkpoint = await store.getCheckpoint(def.name)
  const start = await startObjects(def, checkpoint, ctx)
  result.mode = start.mode
  hooks?.onStreamPlan?.(def.name, start)
  const before = def.stats.requests
  // per page: how long the sink waited for it (fetch, budget, parse) and how long its write took (--debug)
  let waited = performance.now()
  for await (const page of prefetched(objectPages(def, checkpoint, opts, storeLaneShare(store, def.name)))) {
    const got = performance.now()
    result.pages++
    result.fetched += page.fetched
    if (page.phase === 'search' || page.lane === 'search') result.searchRequests++
    for (const dl of page.deadLetters) await store.addDeadLetter(dl)
    result.deadLetters += page.deadLetters.length
    // merges first, under the previous checkpoint: a crash in between replays the page, and
    // re-applying a merge is a no-op
    if (page.merges.length > 0) addCounts(result.counts, await store.applyMerges(def.name, def.entity, page.merges, checkpoint))
    addCounts(result.counts, await store.applyRecords(def.name, def.entity, page.records, page.checkpoint))
    checkpoint = page.checkpoint
    hooks?.onPage?.(def.name, {fetched: page.fetched, phase: page.phase, total: result.fetched, requests: def.stats.requests - before})
    const wrote = performance.now()
    hooks?.log?.('page', {
      stream: def.name,
      phase: page.phase,
      ...(page.lane ? {lane: page.lane} : {}),
      fetched: page.fetched,
      written: page.records.length,
      merges: page.merges.length,
      deadLetters: page.deadLetters.length,
      waitMs: Math.round(got - waited),
      writeMs: Math.round(wrote - got),
    })
    waited = performance.now()
  }
}

async function runAssociations(def: AssociationStreamDef, ctx: EngineContext, result: StreamResult): Promise<void> {
  const {store, opts, hooks} = ctx
  await store.beginEdgeLoad()
  const before = def.stats.requests
  for await (const page of prefetched(def.pages(await store.getCheckpoint(def.name), store, opts))) {
    result.mode ??= page.mode
    result.pages++
    result.fetched += page.fromIds.length
    for (const f of page.failed) await store.addDeadLetter({stream: def.name, recordId: f.id, payload: {fromEntity: page.fromEntity, toEntity: page.toEntity}, reason: f.reason})
    result.deadLetters += page.failed.length
    addCounts(result.counts, await store.replaceAssociations(def.name, page.fromEntity, page.toEntity, page.fromIds, page.rows, page.checkpoint))
    hooks?.onPage?.(def.name, {fetched: page.fromIds.length, phase: `${page.fromEntity}->${page.toEntity}`, total: result.fetched, requests: def.stats.requests - before})
    hooks?.log?.('page', {stream: def.name, pair: `${page.fromEntity}->${page.toEntity}`, fromIds: page.fromIds.length, edges: page.rows.length, failed: page.failed.length})
  }
  await store.endEdgeLoad()
}
