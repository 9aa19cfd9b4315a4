/** What every publish step shares: the store, the target, the plans, the run's options and counters. */
import type {StoreReader, ChangeFeed} from '../../core/store-port.js'
import type {DryOverlay} from './dry-overlay.js'
import type {TablePlan} from './plan.js'
import type {PublishTarget, TargetTx} from './target.js'

/** Per target table. */
export interface TableCounts {
  table: string
  entity: string
  inserted: number
  updated: number
  unchanged: number
  deleted: number
  /** values a typed column cannot hold (an unparsable date, a non-number amount), written as NULL */
  rejectedValues: number
}

/** Per many-to-many through table. */
export interface ThroughCounts {
  table: string
  relation: string
  inserted: number
  deleted: number
}

export interface PublishContext {
  store: StoreReader & ChangeFeed
  target: PublishTarget
  plans: Map<string, TablePlan>
  dryRun: boolean
  /** in a dry run: what the skipped writes would have done, so the counts are exact (null otherwise) */
  dry: DryOverlay | null
  batchSize: number
  now: string
  /** test-only pause per batch (CRMSYNC_PUBLISH_BATCH_DELAY_MS), so kill -9 lands inside batches */
  delayMs: number
  /** tables without a row when their upsert phase began: every batch inserts only, and a full publish has no orphan to delete */
  startedEmpty: Set<string>
  tables: Map<string, TableCounts>
  through: Map<string, ThroughCounts>
}

/** Run `fn` in one target transaction, or (dry run) straight on the target, which then only reads. */
export function inBatch<T>(ctx: PublishContext, fn: (tx: TargetTx) => Promise<T>): Promise<T> {
  return ctx.dryRun ? fn(ctx.target) : ctx.target.transaction(fn)
}

/** The used JS heap past which a finished batch's garbage is collected (heap-bound.ts): about three batches' working set. */
export const HEAP_CEILING_MB = 48

export const pause = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve())
