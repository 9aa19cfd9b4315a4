/** HubSpot's `X-HubSpot-RateLimit-*` headers read into the budget's neutral `RateObservation`. */
import type {RateObservation} from '../../core/budget.js'

const FIELDS = {
  max: 'max',
  intervalMs: 'interval-milliseconds',
  remaining: 'remaining',
  secondly: 'secondly',
  daily: 'daily',
  dailyRemaining: 'daily-remaining',
} as const

/** What an answer's rate-limit headers say; a header that is absent, empty, negative or not a number is left out. */
export function rateObservation(headers: Headers, status: number): RateObservation {
  const o: RateObservation = {status}
  for (const [field, name] of Object.entries(FIELDS) as Array<[keyof typeof FIELDS, string]>) {
    const v = headers.get(`x-hubspot-ratelimit-${name}`)
    const n = v === null || v.trim() === '' ? Number.NaN : Number(v)
    if (Number.isFinite(n) && n >= 0) o[field] = n
  }
  return o
}
