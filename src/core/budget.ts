import type {Bucket} from './http-types.js'
import {DailyLimitError} from './api-errors.js'
import {type Clock, systemClock} from './budget-clock.js'
import {nextMidnight} from './budget-time.js'
import {FifoTurns} from './fifo-turns.js'

/** Returned by `acquire`: call `release()` once the response (or failure) of that request is in. */
export interface Permit {
  release(): void
}

/** Per-bucket figures for progress output and benchmarks. */
export interface BucketSnapshot {
  max: number
  intervalMs: number
  /** requests counted in the current window, in-flight ones included */
  used: number
  inFlight: number
  granted: number
}

export interface BudgetSnapshot {
  default: BucketSnapshot
  search: BucketSnapshot
  dailyLimit: number | null
  dailyRemaining: number | null
  pausedUntil: number | null
  /** total time callers spent waiting in acquire, in ms */
  waitedMs: number
  /** epoch ms until which a caller is waiting in acquire right now (a full window or a pause), null when none is; optional for other implementations */
  waitingUntil?: number | null
}

/**
 * What one API answer said about the rate limit, in neutral terms: a connector reads its API's
 * headers into it (src/connectors/hubspot/rate-headers.ts). A field the answer did not carry (or
 * carried as garbage) is absent.
 */
export interface RateObservation {
  status: number
  /** the account-wide window: `max` requests per `intervalMs`, `remaining` of them left */
  max?: number
  intervalMs?: number
  remaining?: number
  /** per-second limit, which on a search answer is the search bucket's */
  secondly?: number
  daily?: number
  dailyRemaining?: number
}

/**
 * A portal's rate-limit budget, shared by every stream of a run. The plug-in point for a
 * cross-process limiter (e.g. Redis): implement these four methods; nothing else in crmsync
 * knows how the budget is kept. See docs/http-layer.md.
 */
export interface RateBudget {
  /** Resolve when one request may be sent from `bucket`; reject with DailyLimitError at the daily cap, or the signal's reason. */
  acquire(bucket: Bucket, signal?: AbortSignal): Promise<Permit>
  /** Feed what a response said about the rate limit (its status and limit headers) back into the budget. */
  observe(bucket: Bucket, observation: RateObservation): void
  /** Hold every bucket until epoch ms `until` (after a 429). */
  pauseUntil(until: number): void
  snapshot(): BudgetSnapshot
}

/** The limits every budget implementation takes (in-process or shared through Redis). */
export interface BudgetLimits {
  /** default window: `max` requests per `intervalMs` (learned from headers afterwards); default 100/10 000 */
  max?: number
  intervalMs?: number
  /** search bucket, default 5 per 1 000 ms (HubSpot's search limit, docs/http-layer.md) */
  searchMax?: number
  searchIntervalMs?: number
  /** whether a search request also counts against the default window (default false: HubSpot's search requests have their own bucket and its 10-second limit excludes them) */
  searchCountsTowardsDefault?: boolean
  /** IANA time zone of the portal, for the daily reset (default UTC) */
  timeZone?: string
  /** extra ms a finished request stays counted, to absorb clock skew at the window edge (default 25) */
  marginMs?: number
}

export interface InProcessBudgetOptions extends BudgetLimits {
  clock?: Clock
}

/** HubSpot's search limit: 5 requests per second per account, a bucket of its own. */
export const DEFAULT_SEARCH_MAX = 5

interface Window {
  max: number
  intervalMs: number
  /** expiry times (epoch ms) of finished requests still inside the window */
  done: number[]
  inFlight: number
  granted: number
}

/**
 * The in-process budget: a rolling window per bucket in which a request occupies a slot from the
 * moment it is granted until `intervalMs + marginMs` after its response arrived. Because the
 * server counts a request when it arrives (between send and response), this never exceeds the
 * server's window, and it uses all of it: throughput is max / (interval + latency + margin).
 */
/** Why a budget's losing wait was abandoned (never seen by a caller). */
const LOST_RACE = new Error('the other wait ended first')

export class InProcessBudget implements RateBudget {
  private readonly clock: Clock
  private readonly windows: Record<Bucket, Window>
  private readonly marginMs: number
  private readonly timeZone: string
  private readonly searchCountsTowardsDefault: boolean
  private dailyLimit: number | null = null
  private dailyRemaining: number | null = null
  private pausedUntil = 0
  private waitedMs = 0
  /** per bucket, the epoch ms the caller holding its turn waits until (0: nobody waits) */
  private readonly waiting: Record<Bucket, number> = {default: 0, search: 0}
  private readonly turns = new FifoTurns()
  private wake: {promise: Promise<void>; resolve: () => void} | null = null

  constructor(opts: InProcessBudgetOptions = {}) {
    this.clock = opts.clock ?? systemClock
    this.marginMs = opts.marginMs ?? 25
    this.timeZone = opts.timeZone ?? 'UTC'
    nextMidnight(0, this.timeZone) // validate the zone now, not at the daily cap
    this.searchCountsTowardsDefault = opts.searchCountsTowardsDefault ?? false
    this.windows = {
      default: {max: positive(opts.max ?? 100, 'max'), intervalMs: positive(opts.intervalMs ?? 10_000, 'intervalMs'), done: [], inFlight: 0, granted: 0},
      search: {max: positive(opts.searchMax ?? DEFAULT_SEARCH_MAX, 'searchMax'), intervalMs: positive(opts.searchIntervalMs ?? 1_000, 'searchIntervalMs'), done: [], inFlight: 0, granted: 0},
    }
  }

  async acquire(bucket: Bucket, signal?: AbortSignal): Promise<Permit> {
    const release = await this.turns.take(bucket)
    try {
      const started = this.clock.now()
      for (;;) {
        signal?.throwIfAborted()
        if (this.dailyRemaining !== null && this.dailyRemaining <= 0) {
          throw new DailyLimitError(new Date(nextMidnight(this.clock.now(), this.timeZone)).toISOString())
        }
        const wait = this.waitFor(bucket)
        if (wait === 0) break
        this.waiting[bucket] = wait === Number.POSITIVE_INFINITY ? 0 : this.clock.now() + wait
        if (wait === Number.POSITIVE_INFINITY) await this.nextRelease(signal)
        else await this.sleepOrRelease(wait, signal)
      }
      this.waitedMs += this.clock.now() - started
      return this.grant(bucket)
    } finally {
      this.waiting[bucket] = 0
      release()
    }
  }

  observe(bucket: Bucket, o: RateObservation): void {
    if (o.daily !== undefined) this.dailyLimit = o.daily
    if (o.dailyRemaining !== undefined) this.dailyRemaining = o.dailyRemaining
    // On a search answer, the per-second figure is the search policy.
    if (bucket === 'search' && o.secondly !== undefined && o.secondly > 0) {
      this.windows.search.max = o.secondly
      this.windows.search.intervalMs = 1000
    }
    const {max, intervalMs: interval, remaining} = o
    if (max === undefined || max === 0) return
    // max/interval describe the account-wide window whichever endpoint answered (search included).
    const w = this.windows.default
    w.max = max
    if (interval !== undefined && interval > 0) w.intervalMs = interval
    if (remaining !== undefined && o.status !== 429) {
      // Another client of the same portal used part of the window: count its requests as ours.
      const now = this.clock.now()
      this.prune(w, now)
      const phantom = max - remaining - (w.done.length + w.inFlight)
      for (let i = 0; i < phantom; i++) w.done.push(now + w.intervalMs + this.marginMs)
    }
  }

  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until)
  }

  snapshot(): BudgetSnapshot {
    const now = this.clock.now()
    const snap = (w: Window): BucketSnapshot => {
      this.prune(w, now)
      return {max: w.max, intervalMs: w.intervalMs, used: w.done.length + w.inFlight, inFlight: w.inFlight, granted: w.granted}
    }
    return {
      default: snap(this.windows.default),
      search: snap(this.windows.search),
      dailyLimit: this.dailyLimit,
      dailyRemaining: this.dailyRemaining,
      pausedUntil: this.pausedUntil > now ? this.pausedUntil : null,
      waitedMs: this.waitedMs,
      waitingUntil: Math.max(this.waiting.default, this.waiting.search) > now ? Math.max(this.waiting.default, this.waiting.search) : null,
    }
  }

  /** ms until a request from `bucket` may go (0 = now, Infinity = when an in-flight request ends). */
  private waitFor(bucket: Bucket): number {
    const now = this.clock.now()
    let wait = Math.max(0, this.pausedUntil - now)
    for (const w of this.windowsOf(bucket)) {
      this.prune(w, now)
      if (w.done.length + w.inFlight < w.max) continue
      // full: the earliest finished slot frees at its expiry; if all are in flight, at a release
      wait = Math.max(wait, w.done.length > 0 ? Math.max(1, w.done[0] - now) : Number.POSITIVE_INFINITY)
    }
    return wait
  }

  private windowsOf(bucket: Bucket): Window[] {
    return bucket === 'search' ? (this.searchCountsTowardsDefault ? [this.windows.search, this.windows.default] : [this.windows.search]) : [this.windows.default]
  }

  private grant(bucket: Bucket): Permit {
    const ws = this.windowsOf(bucket)
    for (const w of ws) {
      w.inFlight++
      w.granted++
    }
    if (this.dailyRemaining !== null) this.dailyRemaining--
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        const now = this.clock.now()
        for (const w of ws) {
          w.inFlight--
          insertSorted(w.done, now + w.intervalMs + this.marginMs)
        }
        const wake = this.wake
        this.wake = null
        wake?.resolve()
      },
    }
  }

  /**
   * Until `wait` ms pass or a permit is released, whichever comes first. Both waits listen to one
   * per-wait signal, undone when the first ends: a wait that lost the race must not leave a
   * listener on the run's signal behind (a window waited out by sleeping, loop after loop, piled
   * them up until Node warned of a leak).
   */
  private async sleepOrRelease(wait: number, signal?: AbortSignal): Promise<void> {
    if (!signal) return Promise.race([this.clock.sleep(wait), this.nextRelease()])
    const local = new AbortController()
    const onAbort = (): void => local.abort(signal.reason)
    signal.addEventListener('abort', onAbort, {once: true})
    try {
      await Promise.race([this.clock.sleep(wait, local.signal), this.nextRelease(local.signal)])
    } finally {
      signal.removeEventListener('abort', onAbort)
      local.abort(LOST_RACE) // the other wait rejects, into the race that already settled
    }
    signal.throwIfAborted()
  }

  private nextRelease(signal?: AbortSignal): Promise<void> {
    if (!this.wake) {
      let resolve!: () => void
      const promise = new Promise<void>((r) => (resolve = r))
      this.wake = {promise, resolve}
    }
    if (!signal) return this.wake.promise
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      signal.addEventListener('abort', onAbort, {once: true})
      void this.wake!.promise.then(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  }

  private prune(w: Window, now: number): void {
    let i = 0
    while (i < w.done.length && w.done[i] <= now) i++
    if (i > 0) w.done.splice(0, i)
  }
}

function insertSorted(a: number[], v: number): void {
  let i = a.length
  while (i > 0 && a[i - 1] > v) i--
  a.splice(i, 0, v)
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`budget option ${name} must be a positive number, got ${n}`)
  return n
}
