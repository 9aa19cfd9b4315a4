/** `--rate-limit`: the portal's request budget as the operator knows it (its HubSpot tier). */
import {UsageError} from './errors.js'

/** Requests per interval for the default bucket (search keeps its own bucket unless unlimited). */
export interface RateLimitSpec {
  max: number
  intervalMs: number
  /** true for `none`: no client-side pacing (emulators, benchmarks) */
  unlimited: boolean
}

/**
 * Parse `N/10s`, `N/1s`, `N/500ms` or `none`. The default (no flag) is HubSpot's safest tier,
 * 100 per 10 s, raised or lowered by the rate-limit headers the portal sends.
 */
export function parseRateLimit(value: string): RateLimitSpec {
  const v = value.trim().toLowerCase()
  if (v === 'none') return {max: 1_000_000, intervalMs: 1000, unlimited: true}
  const m = /^(\d+)\s*\/\s*(\d+)?\s*(ms|s)$/.exec(v)
  const max = m ? Number(m[1]) : 0
  const n = m ? Number(m[2] ?? '1') : 0
  if (!m || max < 1 || n < 1) {
    throw new UsageError(`--rate-limit "${value}" is not a rate`, 'give requests per interval, e.g. 190/10s for a Professional portal, 100/10s (the default), or none to disable client-side pacing (emulator only)', 'BAD_RATE_LIMIT')
  }
  return {max, intervalMs: m[3] === 'ms' ? n : n * 1000, unlimited: false}
}
