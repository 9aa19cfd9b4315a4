/**
 * `crmsync parity history`: the indexed reports in time order with their verdicts and root causes,
 * and per root cause its trend across the runs (new, growing, shrinking, steady, gone).
 */
import {UsageError} from '../../core/errors.js'
import {syncIndex, type IndexEntry} from './report-index.js'

export type Trend = 'new' | 'growing' | 'shrinking' | 'steady' | 'gone'

export interface HistoryRun {
  runId: string
  createdAt: string
  /** the UTC calendar day of createdAt */
  day: string
  dir: string
  ready: boolean
  newRegressions: number
  source: IndexEntry['inputs']['source']
  /** root causes of this run, and those of the previous run now gone, with their trend against the previous run */
  rootCauses: Array<{id: string; entity: string; count: number; previous: number; trend: Trend}>
}

export interface RootCauseHistory {
  id: string
  entity: string
  kind: string
  /** count in every run of the window, oldest first (0 where the run does not have it) */
  counts: number[]
  /** the last run against the one before it */
  trend: Trend
  firstSeen: string
  lastSeen: string
}

export interface ReportHistory {
  out: string
  since?: string
  runs: HistoryRun[]
  rootCauses: RootCauseHistory[]
  /** per entity, the sum of its root causes' counts in every run (the trend chart) */
  entities: Array<{entity: string; counts: number[]}>
}

/** The trend of a count from `previous` to `current`. */
export function trendOf(previous: number, current: number): Trend {
  if (current === 0) return 'gone'
  if (previous === 0) return 'new'
  return current > previous ? 'growing' : current < previous ? 'shrinking' : 'steady'
}

/** `--since` as an ISO date or time; runs created before it are left out. */
export function parseSince(since: string | undefined): string | undefined {
  if (since === undefined) return undefined
  const t = /^\d{4}-\d{2}-\d{2}/.test(since) ? Date.parse(since.length === 10 ? `${since}T00:00:00Z` : since) : NaN
  if (Number.isNaN(t)) throw new UsageError(`--since "${since}" is not an ISO 8601 date`, 'pass e.g. --since 2026-11-20 (UTC) or --since 2026-11-20T08:00:00Z')
  return new Date(t).toISOString()
}

/** Build the history of the reports under `out` (re-indexing first). */
export async function reportHistory(out: string, opts: {since?: string} = {}): Promise<ReportHistory> {
  const since = parseSince(opts.since)
  const index = await syncIndex(out)
  return historyOf(
    index.reports.filter((e) => since === undefined || e.createdAt >= since),
    out,
    since,
  )
}

/** The history of `entries` (oldest first). */
export function historyOf(entries: IndexEntry[], out: string, since?: string): ReportHistory {
  const causes = new Map<string, RootCauseHistory>()
  const runs: HistoryRun[] = []
  entries.forEach((e, i) => {
    for (const c of e.rootCauses) {
      let h = causes.get(c.id)
      if (!h) {
        h = {id: c.id, entity: c.entity, kind: c.kind, counts: new Array<number>(entries.length).fill(0), trend: 'new', firstSeen: e.runId, lastSeen: e.runId}
        causes.set(c.id, h)
      }
      h.counts[i] += c.count
      h.lastSeen = e.runId
    }
  })
  entries.forEach((e, i) => {
    const rc: HistoryRun['rootCauses'] = []
    for (const h of causes.values()) {
      const cur = h.counts[i]
      const prev = i > 0 ? h.counts[i - 1] : 0
      if (cur > 0 || prev > 0) rc.push({id: h.id, entity: h.entity, count: cur, previous: prev, trend: trendOf(prev, cur)})
    }
    rc.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1))
    runs.push({runId: e.runId, createdAt: e.createdAt, day: e.createdAt.slice(0, 10), dir: e.dir, ready: e.ready, newRegressions: e.newRegressions, source: e.inputs.source, rootCauses: rc})
  })
  const n = entries.length
  for (const h of causes.values()) h.trend = trendOf(n > 1 ? h.counts[n - 2] : 0, h.counts[n - 1])
  const perEntity = new Map<string, number[]>()
  for (const h of causes.values()) {
    const s = perEntity.get(h.entity) ?? new Array<number>(n).fill(0)
    h.counts.forEach((c, i) => (s[i] += c))
    perEntity.set(h.entity, s)
  }
  const rootCauses = [...causes.values()].sort((a, b) => b.counts[n - 1] - a.counts[n - 1] || (a.id < b.id ? -1 : 1))
  const entities = [...perEntity.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([entity, counts]) => ({entity, counts}))
  return {out, ...(since ? {since} : {}), runs, rootCauses, entities}
}
