/** Operator output of a sync run: the summary table (progress displays live in src/cli/progress/). */
import Table from 'cli-table3'
import type {StreamResult} from './metrics.js'

/** The end-of-run table: one row per stream plus a total. */
export function summaryTable(streams: StreamResult[]): string {
  const t = new Table({
    style: {head: [], border: []},
    head: ['entity', 'status', 'fetched', 'inserted', 'updated', 'unchanged', 'deleted', 'requests', 'search', '429s', 'retries', 'dead letters', 'seconds', 'records/s'],
  })
  for (const s of streams) {
    t.push([
      s.stream,
      s.status,
      s.fetched,
      s.counts.inserted,
      s.counts.updated,
      s.counts.unchanged,
      s.counts.deleted,
      s.requests,
      s.searchRequests,
      s.rateLimited,
      s.retries,
      s.deadLetters,
      s.seconds.toFixed(2),
      s.recordsPerSecond,
    ])
  }
  return t.toString()
}
