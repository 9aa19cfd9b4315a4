/** Text of one stream's progress, shared by the terminal display and the log lines. */
import type {StreamView} from './stream-state.js'

/**
 * `1,234,567`: an integer with thousands separators, written out by hand. `Intl.NumberFormat` (or
 * `toLocaleString`) would load ICU's number-formatting data into every `sync` process, about 5 MB
 * of resident memory (docs/sync.md, Memory) for a few commas.
 */
export function grouped(n: number): string {
  const digits = String(Math.round(Math.abs(n)))
  if (!/^\d+$/.test(digits)) return String(Math.round(n)) // Infinity, NaN, 1e21 and above
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1)
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3)
  return n < 0 && out !== '0' ? '-' + out : out
}

/** `0.4s`, `12.3s`, `1m20s`, `2h05m`. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** `1,200/~5,000 records (24%)` or `1,200 records` (`rows` for a publish step). */
export function formatCount(v: StreamView): string {
  const unit = v.unit ?? 'records'
  if (v.total === null) return `${grouped(v.records)} ${unit}`
  return `${grouped(v.records)}/~${grouped(v.total)} ${unit}${v.percent === null ? '' : ` (${v.percent}%)`}`
}

/** The parts after the stream name, in display order. */
export function progressParts(v: StreamView): string[] {
  const time = v.state === 'done' ? `done in ${formatSeconds(v.elapsedSeconds)}` : v.state === 'failed' ? `failed after ${formatSeconds(v.elapsedSeconds)}` : formatSeconds(v.elapsedSeconds)
  if (v.phaseOnly) return [time]
  const parts = [formatCount(v), `${grouped(v.recordsPerSecond)} ${v.unit ?? 'records'}/s`]
  if (v.etaSeconds !== null) parts.push(`ETA ${v.etaSeconds < 60 ? `${v.etaSeconds}s` : formatSeconds(v.etaSeconds)}`)
  if (!v.unit) parts.push(`${grouped(v.requests)} requests`)
  if (v.phase) parts.push(v.phase)
  parts.push(time)
  if (v.rateLimitWaitSeconds !== null) parts.push(`waiting for rate limit (${v.rateLimitWaitSeconds} s)`)
  return parts
}

/** One human line: `contacts: 1,200/~5,000 records (24%) | 120 records/s | ETA 32.0s | ...`. */
export function progressText(v: StreamView): string {
  return `${v.stream}: ${progressParts(v).join(' | ')}`
}
