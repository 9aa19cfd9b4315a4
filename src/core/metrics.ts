/** Per-stream and per-run figures reported by `crmsync sync ...` (table and --json). */
import type {PageCounts} from './store-port.js'
import type {RequestStats} from './http-types.js'
import type {SyncMode} from './connector.js'

export type StreamStatus = 'ok' | 'failed' | 'daily_limit' | 'skipped'

export interface StreamResult {
  stream: string
  entity: string
  status: StreamStatus
  /** records (or from-ids for associations) the API returned */
  fetched: number
  counts: PageCounts
  requests: number
  searchRequests: number
  rateLimited: number
  retries: number
  deadLetters: number
  pages: number
  seconds: number
  recordsPerSecond: number
  /** full or incremental, when the stream read at least one page */
  mode?: SyncMode
  message?: string
}

export function emptyCounts(): PageCounts {
  return {inserted: 0, updated: 0, unchanged: 0, deleted: 0}
}

export function addCounts(into: PageCounts, c: PageCounts): void {
  into.inserted += c.inserted
  into.updated += c.updated
  into.unchanged += c.unchanged
  into.deleted += c.deleted
}

/** Snapshot of request stats, so that each stream reports only its own share. */
export function statsDelta(after: RequestStats, before: RequestStats): Pick<StreamResult, 'requests' | 'rateLimited' | 'retries'> {
  return {requests: after.requests - before.requests, rateLimited: after.rateLimited - before.rateLimited, retries: after.retries - before.retries}
}
