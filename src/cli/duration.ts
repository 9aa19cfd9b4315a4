/** Durations given on the command line: `500ms`, `10s`, `5m`, `2h`, `90d` (a bare number is seconds). */
import {UsageError} from '../core/errors.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** Milliseconds of `value`; UsageError (exit 2) naming `flag` when it is not a positive duration. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim().toLowerCase())
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : Number.NaN
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag} "${value}" is not a duration`, `give a positive number with a unit, e.g. ${flag} 10s (units: ms, s, m, h, d)`, 'BAD_DURATION')
  return Math.round(ms)
}
