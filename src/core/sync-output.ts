/** Operator output of a sync run: the summary table (progress displays live in src/cli/progress/). */
import type {StreamResult} from './metrics.js'
import {textColumns, took} from './text-columns.js'

interface Column {
  head: string
  cell(s: StreamResult): string
  /** left out when 0 in every row (named in the note below the table instead) */
  optional?: string
}

const COLUMNS: Column[] = [
  {head: 'stream', cell: (s) => s.stream},
  {head: 'status', cell: (s) => s.status},
  {head: 'fetched', cell: (s) => String(s.fetched)},
  {head: 'new', cell: (s) => String(s.counts.inserted)},
  {head: 'updated', cell: (s) => String(s.counts.updated)},
  {head: 'same', cell: (s) => String(s.counts.unchanged)},
  {head: 'deleted', cell: (s) => String(s.counts.deleted)},
  {head: 'reqs', cell: (s) => String(s.requests)},
  {head: 'search', cell: (s) => String(s.searchRequests), optional: 'search requests'},
  {head: '429', cell: (s) => String(s.rateLimited), optional: '429s'},
  {head: 'retry', cell: (s) => String(s.retries), optional: 'retries'},
  {head: 'dead', cell: (s) => String(s.deadLetters), optional: 'dead letters'},
  {head: 'time', cell: (s) => took(s.seconds)},
  {head: 'rec/s', cell: (s) => String(s.recordsPerSecond)},
]

/**
 * The end-of-run table, one row per stream, without borders so that it stays within 100 columns
 * for a usual run: the search, 429, retry and dead-letter columns appear only when one stream has
 * some, and a note names those that were 0 everywhere. `--json` has every figure.
 */
export function summaryTable(streams: StreamResult[]): string {
  const rows = streams.map((s) => COLUMNS.map((c) => c.cell(s)))
  const keep = COLUMNS.map((c, i) => !c.optional || rows.some((r) => r[i] !== '0'))
  const pick = <T>(list: T[]): T[] => list.filter((_, i) => keep[i])
  const shown = pick(COLUMNS)
  const right = new Set(shown.flatMap((c, i) => (i >= 2 ? [i] : [])))
  const table = textColumns(
    shown.map((c) => c.head),
    rows.map(pick),
    right,
  )
  const zero = COLUMNS.filter((c, i) => c.optional && !keep[i]).map((c) => c.optional!)
  return zero.length > 0 ? `${table}\nno ${joinOr(zero)} in any stream` : table
}

function joinOr(list: string[]): string {
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`
}
