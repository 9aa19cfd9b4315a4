/**
 * Human rendering of `crmsync sync status` (cli-table3). Cursor values are shortened, never secret.
 */
import Table from 'cli-table3'
import {describeSlice, sliceCursorOf} from '../core/reconcile.js'
import type {SyncStatusResult} from '../core/store-port.js'

function short(value: unknown, max = 48): string {
  if (value === null || value === undefined) return '-'
  const s = typeof value === 'string' ? value : JSON.stringify(value)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

const num = (n: number | null) => (n === null ? '-' : String(n))

/** The status as text: one table of streams, then the last run. Colours only when `color` is true. */
export function renderSyncStatus(status: SyncStatusResult, options: {color?: boolean} = {}): string {
  const style = options.color ? {} : {head: [], border: []}
  const table = new Table({head: ['stream', 'cursor', 'cursor saved', 'rows', 'tombstones', 'merged', 'dead letters', 'last run', 'status'], style})
  for (const s of status.streams) {
    table.push([
      s.stream,
      short(s.cursor),
      s.cursorUpdatedAt ?? '-',
      num(s.rows),
      num(s.tombstones),
      num(s.merged),
      String(s.deadLetters),
      s.lastRun ? `#${s.lastRun.id} ${s.lastRun.startedAt}` : '-',
      s.lastRun?.status ?? '-',
    ])
  }
  const lines = [`store ${status.db} (schema v${status.schemaVersion})`, table.toString()]
  for (const s of status.streams) {
    const slice = sliceCursorOf(s.cursor)
    if (slice) lines.push(describeSlice(s.stream, slice))
  }
  const r = status.lastRun
  if (r) {
    lines.push(
      `last run #${r.id} \`${r.command}\`${r.dryRun ? ' (dry run)' : ''}: ${r.status}, started ${r.startedAt}, ended ${r.finishedAt ?? '-'}, ` +
        `${r.requests} requests, ${r.rateLimited} rate-limited, ${r.retries} retries, ${r.errors} errors${r.message ? ` — ${r.message}` : ''}`,
    )
  } else lines.push('no run recorded yet')
  return lines.join('\n')
}
