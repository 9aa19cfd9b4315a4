/**
 * `--metrics-file PATH`: the run's figures in Prometheus text format (exposition format 0.0.4),
 * written atomically at the end of every sync whatever its outcome, for node_exporter's textfile
 * collector. Every value is a gauge describing the last run. See docs/operations.md.
 */
import {existsSync, statSync} from 'node:fs'
import {dirname, resolve} from 'node:path'
import {CrmsyncError, UsageError} from '../core/errors.js'
import type {SyncStatusResult} from '../core/store-port.js'
import type {SyncSummary} from '../core/sync-runner.js'
import {writeFileAtomic} from '../reports/atomic-write.js'
import {readSyncStatus} from '../store/read-status.js'

/** Escape a label value (backslash, double quote, newline), as the format requires. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

class MetricText {
  private readonly out: string[] = []
  family(name: string, help: string, samples: Array<[Record<string, string>, number]>): void {
    if (samples.length === 0) return
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`)
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${label(x)}"`)
        .join(',')
      this.out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? String(v) : 'NaN'}`)
    }
  }
  toString(): string {
    return `${this.out.join('\n')}\n`
  }
}

const STATUSES: readonly SyncSummary['status'][] = ['ok', 'failed', 'daily_limit', 'interrupted']

/** The metrics of one run; `status` (the store after the run) gives cursors and the last success, when the store exists. */
export function syncMetricsText(summary: SyncSummary, status: SyncStatusResult | null, now: number): string {
  const m = new MetricText()
  const command = summary.command
  const per = (f: (s: SyncSummary['streams'][number]) => number): Array<[Record<string, string>, number]> => summary.streams.map((s) => [{command, stream: s.stream}, f(s)])
  const outcomes = ['inserted', 'updated', 'unchanged', 'deleted'] as const
  m.family(
    'crmsync_sync_records',
    'Records of the last run per stream and outcome (fetched: returned by the API; dead_letter: could not be stored).',
    summary.streams.flatMap((s) => [
      [{command, stream: s.stream, outcome: 'fetched'}, s.fetched] as [Record<string, string>, number],
      ...outcomes.map((o) => [{command, stream: s.stream, outcome: o}, s.counts[o]] as [Record<string, string>, number]),
      [{command, stream: s.stream, outcome: 'dead_letter'}, s.deadLetters] as [Record<string, string>, number],
    ]),
  )
  m.family(
    'crmsync_sync_requests',
    'HTTP requests of the last run per stream, retries included.',
    per((s) => s.requests),
  )
  m.family(
    'crmsync_sync_rate_limited',
    'HTTP 429 answers of the last run per stream.',
    per((s) => s.rateLimited),
  )
  m.family(
    'crmsync_sync_retries',
    'Retried requests of the last run per stream.',
    per((s) => s.retries),
  )
  m.family(
    'crmsync_sync_stream_duration_seconds',
    'Duration of each stream in the last run.',
    per((s) => round(s.seconds)),
  )
  m.family('crmsync_sync_duration_seconds', 'Duration of the last run.', [[{command}, round(summary.seconds)]])
  m.family(
    'crmsync_sync_last_run_status',
    'Outcome of the last run: 1 for its status, 0 for the others.',
    STATUSES.map((st) => [{command, status: st}, summary.status === st ? 1 : 0]),
  )
  m.family('crmsync_sync_last_run_timestamp_seconds', 'When the last run ended (Unix time).', [[{command}, Math.floor(now / 1000)]])
  const success = summary.status === 'ok' && !summary.dryRun ? now : status?.lastSuccess?.finishedAt ? Date.parse(status.lastSuccess.finishedAt) : Number.NaN
  if (Number.isFinite(success)) m.family('crmsync_sync_last_success_timestamp_seconds', 'When the last successful run of this store ended (Unix time).', [[{command}, Math.floor(success / 1000)]])
  const marks = (status?.streams ?? []).filter((s) => s.cursorAt && s.cursorPhase === 'done').map((s) => [s.stream, Date.parse(s.cursorAt!)] as const)
  m.family(
    'crmsync_sync_high_water_mark_timestamp_seconds',
    "Each object stream's committed cursor: the newest modification time synced (Unix time).",
    marks.map(([stream, t]) => [{stream}, Math.floor(t / 1000)]),
  )
  m.family(
    'crmsync_sync_cursor_lag_seconds',
    'Now minus the high-water mark: how far behind the source each object stream is.',
    marks.map(([stream, t]) => [{stream}, Math.max(0, Math.round((now - t) / 1000))]),
  )
  return m.toString()
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000
}

/** Refuse a metrics file whose folder does not exist before the run starts (exit 2). */
export function checkMetricsFile(file: string): void {
  const dir = dirname(resolve(file))
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `--metrics-file ${file}: folder ${dir} does not exist`,
      'create the folder first (node_exporter reads e.g. /var/lib/node_exporter/textfile_collector/crmsync.prom)',
      'BAD_METRICS_FILE',
    )
  }
}

/** Write the metrics of `summary` to `file` atomically, reading the store at `db` for cursors (skipped when it cannot be read, e.g. a dry run). */
export async function writeSyncMetrics(file: string, summary: SyncSummary, db: string): Promise<void> {
  // no store yet (a dry run, a failed preflight): the run's own figures still go out
  const status: SyncStatusResult | null = await readSyncStatus(db).catch(() => null)
  try {
    await writeFileAtomic(file, syncMetricsText(summary, status, Date.now()))
  } catch (err) {
    throw new CrmsyncError(`could not write --metrics-file ${file}: ${(err as Error).message}`, {code: 'METRICS_FILE', suggestion: 'check that the folder is writable by this user'})
  }
}
