/**
 * HubSpot's rate limits: a rolling window for every request (policy TEN_SECONDLY_ROLLING), a separate
 * search bucket (SECONDLY) and a daily cap (DAILY), with HubSpot's headers and 429 bodies.
 */
import {correlationId} from './errors.js'
import {parseRateSpec} from '../core/rate-spec.js'
import {DEFAULT_RATE_TIER, DEFAULT_SEARCH_RATE} from './hubspot-limits.js'
import type {RateSpec} from './types.js'

export type PolicyName = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY'

/** Thrown for a malformed rate or fault spec; the CLI turns it into a usage error (exit 2). */
export class SpecError extends Error {}

/**
 * Parses `100/10s`, `5/s`, `190/10000ms`, `10/m` with the grammar every command shares
 * (src/core/rate-spec.ts); `none` (only where `allowNone`) gives null: no limit.
 */
export function parseRate(spec: string | RateSpec, flag: string, allowNone = false): RateSpec | null {
  if (typeof spec !== 'string') return spec
  let r
  try {
    r = parseRateSpec(spec, flag)
  } catch (err) {
    throw new SpecError((err as Error).message)
  }
  if (r.unlimited) {
    if (allowNone) return null
    throw new SpecError(`${flag} "${spec}" is not a rate here: expected COUNT/INTERVAL such as 100/10s, 5/s or 190/10000ms`)
  }
  return {max: r.max, intervalMs: r.intervalMs}
}

/** A rolling window of request times (a ring buffer of `max` timestamps). */
export class RollingWindow {
  private readonly times: number[]
  private head = 0
  private count = 0
  constructor(readonly spec: RateSpec) {
    this.times = new Array<number>(spec.max).fill(0)
  }

  private expire(now: number): void {
    while (this.count > 0 && this.times[this.head] <= now - this.spec.intervalMs) {
      this.head = (this.head + 1) % this.spec.max
      this.count--
    }
  }

  /** Takes one slot; when full, returns how long until the oldest request leaves the window. */
  take(now: number): {ok: true} | {ok: false; retryAfterMs: number} {
    this.expire(now)
    if (this.count >= this.spec.max) return {ok: false, retryAfterMs: this.times[this.head] + this.spec.intervalMs - now}
    this.times[(this.head + this.count) % this.spec.max] = now
    this.count++
    return {ok: true}
  }

  remaining(now: number): number {
    this.expire(now)
    return this.spec.max - this.count
  }
}

export interface Limited {
  policy: PolicyName
  retryAfterMs: number
}

const MESSAGES: Record<PolicyName, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
}

/** The 429 body HubSpot sends for a policy. */
export function rateLimitBody(policy: PolicyName): Record<string, unknown> {
  return {status: 'error', message: MESSAGES[policy], errorType: 'RATE_LIMIT', correlationId: correlationId(), policyName: policy}
}

/**
 * Every limit of one portal. Requests refused with 429 do not consume budget. Without a configured
 * `rateLimit` the window is HubSpot's Professional tier (DEFAULT_RATE_TIER, 190/10 s); `rateLimit:
 * 'none'` (or null) turns it off. Search requests use only their own bucket (HubSpot's burst limit
 * excludes the search API), 5 per second by default (DEFAULT_SEARCH_RATE, HubSpot's) unless
 * `searchRate` says otherwise (`none`: no search limit) or `rateLimit` is `none` (no limit at all,
 * the search bucket included, unless `searchRate` is given); their answers carry no rate-limit headers.
 */
export class RateLimiter {
  private readonly window?: RollingWindow
  private readonly search?: RollingWindow
  private day = ''
  private usedToday = 0

  constructor(opts: {rateLimit?: RateSpec | string | null; searchRate?: RateSpec | string | null; dailyLimit?: number}) {
    const window = opts.rateLimit === undefined ? DEFAULT_RATE_TIER : opts.rateLimit === null ? null : parseRate(opts.rateLimit, '--rate-limit', true)
    if (window) this.window = new RollingWindow(window)
    const search = opts.searchRate === undefined ? (window ? DEFAULT_SEARCH_RATE : null) : opts.searchRate === null ? null : parseRate(opts.searchRate, '--search-rate', true)
    if (search) this.search = new RollingWindow(search)
    if (opts.dailyLimit !== undefined && (!Number.isInteger(opts.dailyLimit) || opts.dailyLimit < 1)) {
      throw new SpecError(`Invalid --daily-limit "${opts.dailyLimit}": expected a positive whole number of requests per day.`)
    }
    this.dailyLimit = opts.dailyLimit
  }

  private readonly dailyLimit?: number

  private rollDay(now: number): void {
    const d = new Date(now).toISOString().slice(0, 10)
    if (d !== this.day) {
      this.day = d
      this.usedToday = 0
    }
  }

  /** Admits a request or names the policy that refuses it. */
  admit(now: number, isSearch: boolean): Limited | null {
    this.rollDay(now)
    if (this.dailyLimit !== undefined && this.usedToday >= this.dailyLimit) {
      const midnight = Date.parse(`${this.day}T00:00:00.000Z`) + 86_400_000
      return {policy: 'DAILY', retryAfterMs: midnight - now}
    }
    if (isSearch && this.search) {
      const r = this.search.take(now)
      if (!r.ok) return {policy: 'SECONDLY', retryAfterMs: r.retryAfterMs}
    }
    if (this.window && !isSearch) {
      const r = this.window.take(now)
      if (!r.ok) return {policy: 'TEN_SECONDLY_ROLLING', retryAfterMs: r.retryAfterMs}
    }
    this.usedToday++
    return null
  }

  /** X-HubSpot-RateLimit-* headers describing the budget after this request; none on search answers (as on HubSpot). */
  headers(now: number, isSearch = false): Record<string, string> {
    const h: Record<string, string> = {}
    if (isSearch) return h
    if (this.window) {
      h['X-HubSpot-RateLimit-Max'] = String(this.window.spec.max)
      h['X-HubSpot-RateLimit-Remaining'] = String(this.window.remaining(now))
      h['X-HubSpot-RateLimit-Interval-Milliseconds'] = String(this.window.spec.intervalMs)
    }
    if (this.dailyLimit !== undefined) {
      this.rollDay(now)
      h['X-HubSpot-RateLimit-Daily'] = String(this.dailyLimit)
      h['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, this.dailyLimit - this.usedToday))
    }
    return h
  }
}
