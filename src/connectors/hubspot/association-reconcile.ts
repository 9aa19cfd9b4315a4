/**
 * The rolling reconciliation of the associations stream (src/core/reconcile.ts has the neutral
 * cursor): HubSpot does not change either record's modified date when an association is added or
 * removed, so an incremental run's searches never find that edge. After its incremental part,
 * each incremental run re-reads the edges of the next slice of stored from-records (pair by pair,
 * in id order, continuing where the last run stopped and wrapping into the next pass), sized from
 * a share of the run's requests and at least one batch, never more than one whole pass per run.
 */
import type {AssociationPage, IdSource, RunOptions} from '../../core/connector.js'
import type {ApiClient} from '../../core/http-types.js'
import {chunkedIds} from '../../core/id-spool.js'
import {compareIds} from '../../core/ids.js'
import {batchesOf, DEFAULT_RECONCILE, newSliceCursor, sliceRequests, type SliceCursor} from '../../core/reconcile.js'
import type {AssociationRow} from '../../core/records.js'
import type {Checkpoint} from '../../core/store-port.js'

/** What the reconciliation needs from the stream run it is part of. */
export interface ReconcileContext {
  client: ApiClient
  pairs: Array<[string, string]>
  /** the v4 types of a pair, or null when one side is not synced */
  typesOf(pair: [string, string]): {fromType: string; toType: string; fromEntity: string; toEntity: string} | null
  /** an entity's live ids in the store, spooled once per run */
  liveIdFile(entity: string): Promise<{path: string; count: number}>
  read(types: {fromType: string; toType: string; fromEntity: string; toEntity: string}, ids: string[]): Promise<AssociationRow[]>
  ids: IdSource
  opts: RunOptions
  batchSize: number
}

/** The slice cursor after a full run: the full run re-read every edge, so a new pass starts. */
export function afterFullRun(prev: SliceCursor | null, batchIds: number): SliceCursor {
  return newSliceCursor(prev ? prev.pass + 1 : 0, batchIds)
}

async function startPass(ctx: ReconcileContext, pass: number): Promise<SliceCursor> {
  const counts: number[] = []
  for (const pair of ctx.pairs) if (ctx.typesOf(pair)) counts.push((await ctx.liveIdFile(pair[0])).count)
  return {...newSliceCursor(pass, ctx.batchSize), total: counts.reduce((a, b) => a + b, 0), batches: batchesOf(counts, ctx.batchSize)}
}

/**
 * Pages of this run's slice; `checkpoint(rc)` is the stream checkpoint carrying the slice cursor.
 * Returns the cursor after the slice.
 */
export async function* reconcileSlice(ctx: ReconcileContext, start: SliceCursor | null, checkpoint: (rc: SliceCursor) => Checkpoint): AsyncGenerator<AssociationPage, SliceCursor | null> {
  const setting = ctx.opts.reconcile ?? DEFAULT_RECONCILE
  if (setting.mode === 'off') return start
  const budget = sliceRequests(setting, ctx.opts.runStats?.requests ?? ctx.client.stats.requests)
  const spentAtStart = ctx.client.stats.requests
  const spent = (): number => ctx.client.stats.requests - spentAtStart
  let rc: SliceCursor = start && start.batchIds === ctx.batchSize ? start : start ? {...start, batchIds: ctx.batchSize} : newSliceCursor(0, ctx.batchSize)
  if (rc.part === 0 && rc.lastId === null) rc = await startPass(ctx, rc.pass)
  let runBatches = 0
  const enough = (): boolean => runBatches > 0 && (spent() >= budget || runBatches >= rc.batches)
  while (rc.batches > 0 && !enough()) {
    if (rc.part >= ctx.pairs.length) {
      rc = await startPass(ctx, rc.pass + 1)
      continue
    }
    const pair = ctx.pairs[rc.part]
    const types = ctx.typesOf(pair)
    let stopped = false
    if (types) {
      const file = await ctx.liveIdFile(pair[0])
      for await (const chunk of chunkedIds(file.path, ctx.batchSize, rc.lastId, compareIds)) {
        if (enough()) {
          stopped = true
          break
        }
        const rows = await ctx.read(types, chunk)
        runBatches++
        rc = {...rc, lastId: chunk[chunk.length - 1], done: rc.done + chunk.length, lastRunBatches: runBatches}
        yield {fromEntity: types.fromEntity, toEntity: types.toEntity, fromIds: chunk, rows, failed: [], checkpoint: checkpoint(rc)}
      }
    }
    if (!stopped) rc = {...rc, part: rc.part + 1, lastId: null}
  }
  return {...rc, lastRunBatches: runBatches}
}
