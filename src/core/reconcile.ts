/**
 * Rolling reconciliation of edges whose changes move no record's modified time (a CRM's
 * associations): each incremental run re-reads a slice of the stored from-records, continuing
 * where the last run stopped, so that every edge is re-checked within a bounded number of runs.
 * The slice is sized from a share of the run's requests (`--reconcile-associations N%`, default
 * 10%), at least one batch per run. This file is the neutral part: the setting, the cursor saved
 * in the stream's checkpoint, the slice size and the progress `sync status` prints.
 */
import {UsageError} from './errors.js'

export type ReconcileSetting = {mode: 'off'} | {mode: 'full'} | {mode: 'share'; share: number}

export const DEFAULT_RECONCILE: ReconcileSetting = {mode: 'share', share: 0.1}

/** `--reconcile-associations full|off|N%` (N in 1..99; 100% is `full`); absent = 10%. */
export function parseReconcile(value: string | undefined, source = '--reconcile-associations'): ReconcileSetting {
  if (value === undefined || value.trim() === '') return DEFAULT_RECONCILE
  const v = value.trim().toLowerCase()
  if (v === 'off') return {mode: 'off'}
  if (v === 'full') return {mode: 'full'}
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(v)
  const n = m ? Number(m[1]) : NaN
  if (n >= 100) return {mode: 'full'}
  if (n > 0) return {mode: 'share', share: n / 100}
  throw new UsageError(`${source} "${value}" is not a reconciliation setting`, "use full (re-check every edge this run), off, or a share of the run's requests such as 10%", 'BAD_RECONCILE')
}

/** Where the rolling pass stands; saved in the stream's checkpoint as `reconcile`. */
export interface SliceCursor {
  /** passes completed */
  pass: number
  /** the id sequence (for associations: the pair) in progress */
  part: number
  /** last id re-read in that part; null = from its start */
  lastId: string | null
  /** ids re-read in the current pass */
  done: number
  /** ids in a whole pass, counted when the current pass started */
  total: number
  /** request batches in a whole pass (each part is read in batches of `batchIds`) */
  batches: number
  /** batches the last run that reconciled read (0 before the first) */
  lastRunBatches: number
  /** ids per batch */
  batchIds: number
}

/** The cursor at the start of pass `pass` (counts filled in when the pass starts reading). */
export function newSliceCursor(pass: number, batchIds: number): SliceCursor {
  return {pass, part: 0, lastId: null, done: 0, total: 0, batches: 0, lastRunBatches: 0, batchIds}
}

/** Batches a pass takes over parts of `counts` ids each. */
export function batchesOf(counts: number[], batchIds: number): number {
  return counts.reduce((n, c) => n + Math.ceil(c / batchIds), 0)
}

/**
 * Requests the reconciliation may spend in a run that has made `runRequests` so far, so that it is
 * `share` of the run's requests in all (`full`: no bound; `off`: none). A run always reads at
 * least one batch (the caller's floor), whatever this says.
 */
export function sliceRequests(setting: ReconcileSetting, runRequests: number): number {
  if (setting.mode === 'off') return 0
  if (setting.mode === 'full') return Number.POSITIVE_INFINITY
  return Math.max(1, Math.ceil((runRequests * setting.share) / (1 - setting.share)))
}

/** How far the current pass is, and how many runs a whole pass takes. */
export interface SliceProgress {
  pass: number
  done: number
  total: number
  /** runs a whole pass takes at the last run's slice; null before a run reconciled */
  runsPerPass: number | null
  /** runs a whole pass takes at the floor of one batch per run: the bound, whatever the budget */
  maxRunsPerPass: number
}

export function sliceProgress(c: SliceCursor): SliceProgress {
  return {
    pass: c.pass,
    done: c.done,
    total: Math.max(c.total, c.done),
    runsPerPass: c.lastRunBatches > 0 ? Math.max(1, Math.ceil(c.batches / c.lastRunBatches)) : null,
    maxRunsPerPass: Math.max(1, c.batches),
  }
}

/** The slice cursor in a stream checkpoint (`checkpoint.reconcile`), when it has one. */
export function sliceCursorOf(checkpoint: unknown): SliceCursor | null {
  const r = (checkpoint as {reconcile?: unknown} | null)?.reconcile as Partial<SliceCursor> | null | undefined
  if (!r || typeof r !== 'object') return null
  const nums = [r.pass, r.part, r.done, r.total, r.batches, r.lastRunBatches, r.batchIds]
  return nums.every((n) => typeof n === 'number' && Number.isFinite(n)) && (r.lastId === null || typeof r.lastId === 'string') ? (r as SliceCursor) : null
}

/** One line for `sync status`, e.g. "associations reconciliation: pass 3 at 1,200 of 5,800 ids; a full pass takes 5 runs ...". */
export function describeSlice(stream: string, c: SliceCursor): string {
  const p = sliceProgress(c)
  const runs = p.runsPerPass === null ? 'a number of runs not measured yet' : `${p.runsPerPass} run${p.runsPerPass === 1 ? '' : 's'} at the last run's slice`
  // two lines, each within the 100 columns of `sync status`
  return `${stream} reconciliation: pass ${p.pass + 1} at ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} ids\n  a full pass takes ${runs} (at most ${p.maxRunsPerPass} at one batch per run)`
}
