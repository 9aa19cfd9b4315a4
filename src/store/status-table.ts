/**
 * Human rendering of `crmsync sync status`: by default a table of at most 100 columns (per stream:
 * the last run's outcome, age, mode and duration, rows, that stream's requests, dead letters and
 * the cursor as an instant plus id); `wide` adds every figure (cli-table3). Never secret.
 */
import Table from 'cli-table3'
import {describeSlice, sliceCursorOf} from '../core/reconcile.js'
import type {StreamStatusLine, SyncStatusResult} from '../core/store-port.js'
import {formatInstant} from './cursor-view.js'
import {textColumns, took} from '../core/text-columns.js'

export interface StatusRenderOptions {
  color?: boolean
  /** every column (wider than 100) */
  wide?: boolean
  /** epoch ms the ages are measured from (tests) */
  now?: number
}

const num = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : String(n))

/** `12s`, `5m`, `3h`, `2d` ago. */
export function age(iso: string | null | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : Number.NaN
  if (Number.isNaN(t)) return '-'
  const s = Math.max(0, Math.round((now - t) / 1000))
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : s < 172_800 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86_400)}d ago`
}

/** `2026-03-01 12:00:03Z #1234`, `full after #88`, or `-`. */
export function cursorText(s: StreamStatusLine): string {
  if (!s.cursor) return '-'
  const at = formatInstant(s.cursorAt ? Date.parse(s.cursorAt) : null)
  const id = s.cursorId ? `#${clip(s.cursorId, 14)}` : null
  const parts = [s.cursorPhase && s.cursorPhase !== 'done' ? s.cursorPhase : null, at, id].filter((x): x is string => x !== null)
  return parts.length > 0 ? parts.join(' ') : (s.cursorPhase ?? '-')
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function compact(status: SyncStatusResult, now: number): string {
  const head = ['stream', 'last run', 'mode', 'took', 'rows', 'requests', 'dead', 'cursor (UTC)']
  const rows = status.streams.map((s) => {
    const run = s.lastRun
    return [
      clip(s.stream, 22),
      run ? `${run.status} ${age(run.startedAt, now)}` : '-',
      run?.stream?.mode ?? '-',
      took(run?.stream?.seconds),
      num(s.rows),
      num(run?.stream?.requests),
      String(s.deadLetters),
      cursorText(s),
    ]
  })
  return textColumns(head, rows, new Set([3, 4, 5, 6]))
}

function wide(status: SyncStatusResult, color: boolean): string {
  const style = color ? {} : {head: [], border: []}
  const table = new Table({
    head: [
      'stream',
      'run',
      'status',
      'mode',
      'started',
      'seconds',
      'fetched',
      'inserted',
      'updated',
      'unchanged',
      'deleted',
      'requests',
      '429s',
      'retries',
      'rows',
      'tombstones',
      'merged',
      'dead letters',
      'cursor',
      'cursor saved',
    ],
    style,
  })
  for (const s of status.streams) {
    const r = s.lastRun
    const c = r?.stream
    table.push([
      s.stream,
      r ? `#${r.id}` : '-',
      r?.status ?? '-',
      c?.mode ?? '-',
      r?.startedAt ?? '-',
      num(c?.seconds),
      num(c?.fetched),
      num(c?.inserted),
      num(c?.updated),
      num(c?.unchanged),
      num(c?.deleted),
      num(c?.requests),
      num(c?.rateLimited),
      num(c?.retries),
      num(s.rows),
      num(s.tombstones),
      num(s.merged),
      String(s.deadLetters),
      cursorText(s),
      s.cursorUpdatedAt ?? '-',
    ])
  }
  return table.toString()
}

/** The status as text: the store, a table of streams, then the last run. Colours only when `color` is true (wide table). */
export function renderSyncStatus(status: SyncStatusResult, options: StatusRenderOptions = {}): string {
  const now = options.now ?? Date.now()
  const lines = [`store ${status.db} (schema v${status.schemaVersion})`, options.wide ? wide(status, options.color === true) : compact(status, now)]
  for (const s of status.streams) {
    const slice = sliceCursorOf(s.cursor)
    if (slice) lines.push(describeSlice(s.stream, slice))
  }
  const r = status.lastRun
  if (r) {
    lines.push(`last run #${r.id} \`${r.command}\`${r.dryRun ? ' (dry run)' : ''}: ${r.status}, started ${r.startedAt}, ended ${r.finishedAt ?? '-'}`)
    lines.push(`  ${r.requests} requests, ${r.rateLimited} rate-limited, ${r.retries} retries, ${r.errors} errors${r.message ? ` — ${r.message}` : ''}`)
  } else lines.push('no run recorded yet')
  if (status.lastSuccess && status.lastSuccess.id !== r?.id) lines.push(`last successful run #${status.lastSuccess.id}, ended ${status.lastSuccess.finishedAt ?? '-'}`)
  if (!options.wide) lines.push('(--wide for every figure, --json for all of it)')
  return lines.join('\n')
}
