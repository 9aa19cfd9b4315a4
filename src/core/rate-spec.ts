/**
 * The one grammar of `--rate-limit` (and the emulator's `--search-rate`), for `sync`,
 * `portal record` and `serve` alike: `COUNT/[N]UNIT` with UNIT ms, s, m or h (`100/10s`, `5/s`,
 * `190/10000ms`, `10/m`), or `none` for no client-side pacing.
 */
import {UsageError} from './errors.js'

/** Requests per interval for the default bucket (search keeps its own bucket unless unlimited). */
export interface RateLimitSpec {
  max: number
  intervalMs: number
  /** true for `none`: no client-side pacing (emulators, benchmarks) */
  unlimited: boolean
}

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}
const RATE = /^(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)$/

/** Parse a rate for `flag` (named in the error); throws UsageError (exit 2) naming the accepted forms. */
export function parseRateSpec(value: string, flag = '--rate-limit'): RateLimitSpec {
  const v = value.trim().toLowerCase()
  if (v === 'none') return {max: 1_000_000, intervalMs: 1000, unlimited: true}
  const m = RATE.exec(v)
  const max = m ? Number(m[1]) : 0
  const n = m ? (m[2] === '' ? 1 : Number(m[2])) : 0
  if (!m || max < 1 || n < 1 || !Number.isSafeInteger(max) || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `${flag} "${value}" is not a rate: expected COUNT/INTERVAL such as 100/10s, 5/s, 190/10000ms or 10/m, or none`,
      'give requests per interval, e.g. 190/10s for a Professional portal, 100/10s (the default), or none to disable pacing (emulator only)',
      'BAD_RATE_LIMIT',
    )
  }
  return {max, intervalMs: n * UNITS[m[3]]!, unlimited: false}
}

/**
 * `--rate-limit` of `sync` and `portal record`. The default (no flag) is the connector's safest
 * assumption (100 per 10 s), raised or lowered by the rate-limit answers the API sends.
 */
export function parseRateLimit(value: string): RateLimitSpec {
  return parseRateSpec(value, '--rate-limit')
}
