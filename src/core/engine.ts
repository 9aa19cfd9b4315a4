/**
 * The engine: source → processor → sink. Async pages come in (the next one already requested while
 * the current one is written); each page goes out as ONE synchronous store transaction carrying
 * its checkpoint. One bad record is dead-lettered; it never aborts the run.
 */
import type {SyncStore} from '../store/types.js'
import type {AssociationStreamDef, ObjectStreamDef, RunOptions, StreamDef} from './connector.js'
import {objectPages} from './incremental.js'
import {addCounts, emptyCounts, statsDelta, type StreamResult} from './metrics.js'
import {prefetched} from './prefetch.js'

/** Progress and log hooks; all optional. */
export interface EngineHooks {
  onPage?(stream: string, info: {fetched: number; phase: string; total: number}): void
  log?(event: string, fields: Record<string, unknown>): void
}

export interface EngineContext {
  store: SyncStore
  opts: RunOptions
  hooks?: EngineHooks
}

/** Run one stream to completion (or until an error is thrown, with every written page checkpointed). */
export async function runStream(def: StreamDef, ctx: EngineContext): Promise<StreamResult> {
  const started = performance.now()
  const before = {...def.stats}
  const result: StreamResult = {stream: def.name, entity: def.entity, status: 'ok', fetched: 0, counts: emptyCounts(), requests: 0, searchRequests: 0, rateLimited: 0, retries: 0, deadLetters: 0, pages: 0, seconds: 0, recordsPerSecond: 0}
  const finish = (): StreamResult => {
    Object.assign(result, statsDelta(def.stats, before))
    result.seconds = (performance.now() - started) / 1000
    result.recordsPerSecond = result.seconds > 0 ? Math.round(result.fetched / result.seconds) : 0
    return result
  }
  try {
    if (def.kind === 'object') await runObjects(def, ctx, result)
    else await runAssociations(def, ctx, result)
  } catch (err) {
    finish()
    ;(err as Error & {partial?: StreamResult}).partial = result
    throw err
  }
  return finish()
}

async function runObjects(def: ObjectStreamDef, ctx: EngineContext, result: StreamResult): Promise<void> {
  const {store, opts, hooks} = ctx
  if (!opts.signal?.aborted) store.ensureEntity({entity: def.entity, properties: await def.describe(opts.signal)})
  let checkpoint = store.getCheckpoint(def.name)
  for await (const page of prefetched(objectPages(def, checkpoint, opts))) {
    result.pages++
    result.fetched += page.fetched
    if (page.phase === 'search') result.searchRequests++
    for (const dl of page.deadLetters) store.addDeadLetter(dl)
    result.deadLetters += page.deadLetters.length
    // merges first, under the previous checkpoint: a crash in between replays the page, and
    // re-applying a merge is a no-op
    if (page.merges.length > 0) addCounts(result.counts, store.applyMerges(def.name, def.entity, page.merges, checkpoint))
    addCounts(result.counts, store.applyRecords(def.name, def.entity, page.records, page.checkpoint))
    checkpoint = page.checkpoint
    hooks?.onPage?.(def.name, {fetched: page.fetched, phase: page.phase, total: result.fetched})
    hooks?.log?.('page', {stream: def.name, phase: page.phase, fetched: page.fetched, written: page.records.length, merges: page.merges.length, deadLetters: page.deadLetters.length})
  }
}

async function runAssociations(def: AssociationStreamDef, ctx: EngineContext, result: StreamResult): Promise<void> {
  const {store, opts, hooks} = ctx
  store.beginEdgeLoad()
  for await (const page of prefetched(def.pages(store.getCheckpoint(def.name), store, opts))) {
    result.pages++
    result.fetched += page.fromIds.length
    for (const f of page.failed) store.addDeadLetter({stream: def.name, recordId: f.id, payload: {fromEntity: page.fromEntity, toEntity: page.toEntity}, reason: f.reason})
    result.deadLetters += page.failed.length
    addCounts(result.counts, store.replaceAssociations(def.name, page.fromEntity, page.toEntity, page.fromIds, page.rows, page.checkpoint))
    hooks?.onPage?.(def.name, {fetched: page.fromIds.length, phase: `${page.fromEntity}->${page.toEntity}`, total: result.fetched})
    hooks?.log?.('page', {stream: def.name, pair: `${page.fromEntity}->${page.toEntity}`, fromIds: page.fromIds.length, edges: page.rows.length, failed: page.failed.length})
  }
  store.endEdgeLoad()
}
