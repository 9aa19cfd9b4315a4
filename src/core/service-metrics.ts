/**
 * What service mode (`crmsync sync all --every 5m`) knows about its runs, and the same as the
 * Prometheus text exposition format (version 0.0.4) that `/metrics` serves. Stream names come from
 * configuration and the portal: label values are escaped, names are fixed here.
 */
import type {SyncSummary} from './sync-runner.js'

/** Counters and gauges of a service since it started. */
export class ServiceMetrics {
  readonly startedAt = Date.now()
  running = false
  runs = new Map<string, number>() // by outcome: ok, failed, interrupted, daily_limit, auth_failed
  lastRunStartedAt: number | null = null
  lastRunSeconds: number | null = null
  lastSuccessAt: number | null = null
  consecutiveFailures = 0
  /** per stream: records fetched, requests, 429s, retries, dead letters */
  readonly streams = new Map<string, {fetched: number; inserted: number; updated: number; deleted: number; requests: number; rateLimited: number; retries: number; deadLetters: number}>()

  /** Count one run's outcome and figures. */
  record(status: string, startedAt: number, summary: SyncSummary | null): void {
    this.runs.set(status, (this.runs.get(status) ?? 0) + 1)
    this.lastRunStartedAt = startedAt
    this.lastRunSeconds = (Date.now() - startedAt) / 1000
    if (status === 'ok') {
      this.lastSuccessAt = Date.now()
      this.consecutiveFailures = 0
    } else this.consecutiveFailures++
    for (const s of summary?.streams ?? []) {
      const m = this.streams.get(s.stream) ?? {fetched: 0, inserted: 0, updated: 0, deleted: 0, requests: 0, rateLimited: 0, retries: 0, deadLetters: 0}
      m.fetched += s.fetched
      m.inserted += s.counts.inserted
      m.updated += s.counts.updated
      m.deleted += s.counts.deleted
      m.requests += s.requests
      m.rateLimited += s.rateLimited
      m.retries += s.retries
      m.deadLetters += s.deadLetters
      this.streams.set(s.stream, m)
    }
  }
}

/** A label value in the text format: backslash, double quote and newline escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

const STREAM_COUNTERS = [
  ['fetched', 'crmsync_records_fetched_total', 'Records (or from-ids for associations) the API returned'],
  ['inserted', 'crmsync_records_inserted_total', 'Records written as new'],
  ['updated', 'crmsync_records_updated_total', 'Records whose stored row changed'],
  ['deleted', 'crmsync_records_deleted_total', 'Records tombstoned or merged away'],
  ['requests', 'crmsync_requests_total', 'HTTP requests sent'],
  ['rateLimited', 'crmsync_rate_limited_total', '429 answers received'],
  ['retries', 'crmsync_retries_total', 'Requests retried'],
  ['deadLetters', 'crmsync_dead_letters_total', 'Records that could not be stored'],
] as const

/** The metrics in Prometheus text format. */
export function renderMetrics(m: ServiceMetrics): string {
  const out: string[] = []
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) out.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`)
  }
  metric('crmsync_up', 'gauge', 'The service is running', [['', 1]])
  metric('crmsync_run_in_progress', 'gauge', 'A sync run is in progress', [['', m.running ? 1 : 0]])
  metric(
    'crmsync_runs_total',
    'counter',
    'Sync runs by outcome',
    [...m.runs].sort().map(([status, n]) => [`{status="${labelValue(status)}"}`, n]),
  )
  metric('crmsync_consecutive_failures', 'gauge', 'Runs in a row that did not end ok', [['', m.consecutiveFailures]])
  if (m.lastRunStartedAt !== null) metric('crmsync_last_run_start_timestamp_seconds', 'gauge', 'When the last run started', [['', m.lastRunStartedAt / 1000]])
  if (m.lastRunSeconds !== null) metric('crmsync_last_run_duration_seconds', 'gauge', 'How long the last run took', [['', m.lastRunSeconds]])
  if (m.lastSuccessAt !== null) metric('crmsync_last_success_timestamp_seconds', 'gauge', 'When the last run ended ok', [['', m.lastSuccessAt / 1000]])
  const streams = [...m.streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, name, help] of STREAM_COUNTERS)
    metric(
      name,
      'counter',
      help,
      streams.map(([stream, s]) => [`{stream="${labelValue(stream)}"}`, s[key]]),
    )
  return out.join('\n') + '\n'
}
