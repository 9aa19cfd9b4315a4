/**
 * `crmsync publish`: write the mapped rows of every mapped entity from the crmsync store into the
 * application's existing tables (docs/publish.md). Plan and check the target schema, take the
 * one-publisher lock, upsert in dependency order, delete in reverse order, then save the cursor
 * (the store's change sequence read before anything was read) in the store, keyed by target.
 * Every batch is idempotent, so a rerun after a crash or kill -9 ends with the same target.
 */
import {CrmsyncError, EXIT} from '../../core/errors.js'
import {loadMapping} from '../mapping/load.js'
import {openPublishStore} from '../../store/open.js'
import type {PublishContext, TableCounts, ThroughCounts} from './context.js'
import {deleteGone} from './deletes.js'
import {DryOverlay} from './dry-overlay.js'
import {openTarget} from './open-target.js'
import {planPublish} from './plan.js'
import {takePublishLock} from './publish-lock.js'
import {deleted, liveCounts, step, upserted, type PublishProgress} from './progress.js'
import {upsertEntity} from './upsert.js'
import {peakRssMb} from '../../core/peak-rss.js'

export interface PublishOptions {
  mapping: string
  /** crmsync store (default: CRMSYNC_DB or crmsync.db) */
  db?: string
  /** postgres:// URL or SQLite file */
  to: string
  /** PostgreSQL schema, or for SQLite the shadow file <target>.NAME<ext> */
  schema?: string
  dryRun?: boolean
  /** republish everything, not only what changed since this target's cursor */
  full?: boolean
  /** rows per transaction (default DEFAULT_BATCH, at most MAX_BATCH) */
  batchSize?: number
  /** a progress display (the CLI's --progress) */
  progress?: PublishProgress
  /** how long to wait for another publisher's lock on the target (default 0: fail at once) */
  lockWaitMs?: number
}

/** Rows per target transaction: "a few thousand" (docs/publish.md); every batch is a handful of statements whatever its size. */
export const DEFAULT_BATCH = 5000
export const MAX_BATCH = 5000

export interface PublishResult {
  target: string
  dryRun: boolean
  /** true when every row was considered (`--full`, or no cursor for this target yet) */
  full: boolean
  /** change sequence after which changes were published (-1: all) */
  sinceSeq: number
  /** the store's change sequence this publish covers (the target's new cursor) */
  throughSeq: number
  tables: TableCounts[]
  through: ThroughCounts[]
  /** rows inserted, updated or deleted, through rows included (would be, in a dry run) */
  rowsWritten: number
  seconds: number
  peakRssMb: number
}

/** Map a driver error of a write to an operator's message. */
function writeError(e: unknown, target: string): CrmsyncError {
  if (e instanceof CrmsyncError) return e
  const err = e as {code?: string; message?: string; table?: string; detail?: string}
  const msg = err.message ?? String(e)
  if (err.code === '23503' || err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new CrmsyncError(`publishing into ${target} would break a foreign key: ${msg}${err.detail ? ` (${err.detail})` : ''}; the batch was rolled back`, {
      code: 'PUBLISH_FK',
      suggestion:
        'another table still points at a row that must be deleted (an archived record): map the entity with "archived": {"softDelete": "<column>"} or remove the referencing rows, then rerun',
    })
  }
  if (err.code === '42501' || err.code === 'SQLITE_READONLY') {
    return new CrmsyncError(`the publish target ${target} refused a write: ${msg}`, {
      exit: EXIT.usage,
      code: 'PUBLISH_DENIED',
      suggestion: 'connect as a user with SELECT, INSERT, UPDATE, DELETE on the mapped tables (GRANT ... TO user), or make the file writable',
    })
  }
  return new CrmsyncError(`publishing into ${target} failed: ${msg}; the batch was rolled back`, {
    code: 'PUBLISH_FAILED',
    suggestion: 'fix the cause named above and rerun: publish resumes from its last saved cursor and ends with the same target',
  })
}

/** Run a publish; see PublishOptions. */
export async function runPublish(opts: PublishOptions): Promise<PublishResult> {
  const started = process.hrtime.bigint()
  let peak = process.memoryUsage().rss
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
  sample.unref()
  const lm = loadMapping(opts.mapping)
  const store = await openPublishStore(opts.db ?? process.env.CRMSYNC_DB ?? 'crmsync.db')
  try {
    const target = await openTarget(opts.to, opts.schema)
    try {
      const dryRun = opts.dryRun === true
      const plans = await planPublish(lm, target, await store.entities(), !dryRun)
      if (!dryRun) await takePublishLock(target, opts.lockWaitMs ?? 0, opts.progress)
      const throughSeq = await store.changeSeq()
      const cursor = await store.publishCursor(target.cursorKey)
      const full = opts.full === true || cursor === null || cursor > throughSeq
      const sinceSeq = full ? -1 : cursor
      const ctx: PublishContext = {
        store,
        target,
        plans: new Map(plans.map((p) => [p.entity, p])),
        dryRun,
        dry: dryRun ? await DryOverlay.open(target) : null,
        batchSize: Math.min(Math.max(opts.batchSize ?? DEFAULT_BATCH, 1), MAX_BATCH),
        now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        startedEmpty: new Set(),
        delayMs: Number(process.env.CRMSYNC_PUBLISH_BATCH_DELAY_MS ?? 0) || 0,
        tables: new Map(plans.map((p) => [p.table, {table: p.table, entity: p.entity, inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejectedValues: 0}])),
        through: new Map(plans.flatMap((p) => p.m2m.map((m) => [m.table, {table: m.table, relation: `${p.entity}.${m.relation}`, inserted: 0, deleted: 0}] as const))),
      }
      try {
        const live = full && opts.progress ? await liveCounts(store) : new Map<string, number>()
        for (const p of plans) await step(opts.progress, `upsert ${p.table}`, upserted(ctx, p), live.get(p.entity) ?? null, () => upsertEntity(ctx, p, sinceSeq))
        for (const p of [...plans].reverse()) await step(opts.progress, `delete ${p.table}`, deleted(ctx, p), null, () => deleteGone(ctx, p, sinceSeq))
      } catch (e) {
        throw writeError(e, target.describe)
      }
      if (!dryRun) {
        await store.savePublishCursor(target.cursorKey, throughSeq)
        await store.pruneTombstones()
      }
      const tables = [...ctx.tables.values()]
      const through = [...ctx.through.values()]
      peak = Math.max(peak, process.memoryUsage().rss)
      return {
        target: target.describe,
        dryRun,
        full,
        sinceSeq,
        throughSeq,
        tables,
        through,
        rowsWritten: tables.reduce((n, t) => n + t.inserted + t.updated + t.deleted, 0) + through.reduce((n, t) => n + t.inserted + t.deleted, 0),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMb: Math.max(Math.round(peak / 1048576), peakRssMb()),
      }
    } finally {
      await target.close()
    }
  } finally {
    clearInterval(sample)
    await store.close()
  }
}
