/**
 * Midnight in a time zone, for the daily limit: HubSpot resets a portal's daily allowance at
 * midnight in the portal's time zone.
 */

function partsIn(t: number, timeZone: string): {y: number; m: number; d: number; h: number; mi: number; s: number} {
  const fmt = new Intl.DateTimeFormat('en-US', {timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'})
  const p: Record<string, number> = {}
  for (const part of fmt.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value)
  return {y: p.year, m: p.month, d: p.day, h: p.hour, mi: p.minute, s: p.second}
}

/** Offset of `timeZone` from UTC at instant `t`, in ms (positive east of Greenwich). */
function offsetAt(t: number, timeZone: string): number {
  const p = partsIn(t, timeZone)
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s)
  return asUtc - (t - (((t % 1000) + 1000) % 1000))
}

/**
 * The first instant after `now` at which the wall clock in `timeZone` reads 00:00 (the next
 * local midnight), as epoch ms. Throws a RangeError for an unknown time zone.
 */
export function nextMidnight(now: number, timeZone = 'UTC'): number {
  // UTC (every sync's zone unless one is given) needs no Intl.DateTimeFormat, which would load
  // ICU's calendar and time-zone data into the process: about 5 MB of resident memory
  if (timeZone === 'UTC') {
    const d = new Date(now)
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
  }
  const p = partsIn(now, timeZone)
  const wallMidnight = Date.UTC(p.y, p.m - 1, p.d + 1, 0, 0, 0)
  let guess = wallMidnight - offsetAt(now, timeZone)
  // settle across a DST change between now and midnight
  for (let i = 0; i < 3; i++) guess = wallMidnight - offsetAt(guess, timeZone)
  return guess
}
