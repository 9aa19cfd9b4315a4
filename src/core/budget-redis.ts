/**
 * A rate budget shared by every process of a portal through Redis: the same rules as
 * InProcessBudget (slots held from grant until interval + margin after the answer, a search
 * bucket, a daily cap, pauses after a 429, phantom slots for other clients), kept in Redis keys and
 * changed only by Lua scripts, so a check-and-take is atomic across processes. See docs/http-layer.md.
 */
import {randomBytes} from 'node:crypto'
import {DailyLimitError} from './api-errors.js'
import {type Clock, systemClock} from './budget-clock.js'
import {nextMidnight} from './budget-time.js'
import {DEFAULT_SEARCH_MAX, type BudgetLimits, type BudgetSnapshot, type Permit, type RateBudget, type RateObservation} from './budget.js'
import {RespClient, type RespValue} from './budget-redis-resp.js'
import type {Bucket} from './http-types.js'
import {FifoTurns} from './fifo-turns.js'

export interface RedisBudgetOptions extends BudgetLimits {
  /** what the processes sharing the budget agree on: the portal id, for example */
  key: string
  /** redis://host:port (default redis://127.0.0.1:6379); ignored when `client` is given */
  url?: string
  client?: RespClient
  /** how long a granted slot stays taken if its process dies before releasing it (default 60 000 ms) */
  leaseMs?: number
  /** longest sleep while waiting for another process to release a slot (default 50 ms) */
  pollMs?: number
  clock?: Clock
}

const ACQUIRE = `
local now = tonumber(ARGV[1])
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {0, pause - now, 0, 0} end
local daily = redis.call('GET', KEYS[4])
if daily and tonumber(daily) <= 0 then return {-1, 0, 0, 0} end
local lim = redis.call('HMGET', KEYS[5], 'max', 'interval', 'smax', 'sinterval')
local dmax = tonumber(lim[1]) or tonumber(ARGV[5])
local smax = tonumber(lim[3]) or tonumber(ARGV[7])
local targets = {}
if ARGV[2] == '1' then
  targets[#targets + 1] = {KEYS[2], smax}
  if ARGV[9] == '1' then targets[#targets + 1] = {KEYS[1], dmax} end
else
  targets[#targets + 1] = {KEYS[1], dmax}
end
local wait = 0
for _, t in ipairs(targets) do
  redis.call('ZREMRANGEBYSCORE', t[1], '-inf', now)
  if redis.call('ZCARD', t[1]) >= t[2] then
    local first = redis.call('ZRANGE', t[1], 0, 0, 'WITHSCORES')
    local w = tonumber(first[2]) - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, math.ceil(wait), 0, 0} end
for _, t in ipairs(targets) do
  redis.call('ZADD', t[1], now + tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', t[1], tonumber(ARGV[4]) + 3600000)
end
if daily then redis.call('DECR', KEYS[4]) end
return {1, 0, redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}
`

const RELEASE = `
local now = tonumber(ARGV[2])
local lim = redis.call('HMGET', KEYS[3], 'interval', 'sinterval')
local dint = tonumber(lim[1]) or tonumber(ARGV[3])
local sint = tonumber(lim[2]) or tonumber(ARGV[4])
local margin = tonumber(ARGV[5])
if ARGV[6] == '1' then redis.call('ZADD', KEYS[1], 'XX', now + dint + margin, ARGV[1]) end
if ARGV[7] == '1' then redis.call('ZADD', KEYS[2], 'XX', now + sint + margin, ARGV[1]) end
return 1
`

const OBSERVE = `
local now = tonumber(ARGV[1])
local max, interval, remaining = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if max and max > 0 then
  redis.call('HSET', KEYS[3], 'max', max)
  if interval and interval > 0 then redis.call('HSET', KEYS[3], 'interval', interval) end
  if remaining and ARGV[9] ~= '429' then
    local int = tonumber(redis.call('HGET', KEYS[3], 'interval') or ARGV[10])
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
    local phantom = max - remaining - redis.call('ZCARD', KEYS[1])
    for i = 1, phantom do
      redis.call('ZADD', KEYS[1], now + int + tonumber(ARGV[11]), 'phantom:' .. redis.call('INCR', KEYS[5]))
    end
  end
end
local secondly = tonumber(ARGV[6])
if ARGV[2] == 'search' and secondly and secondly > 0 then redis.call('HSET', KEYS[3], 'smax', secondly, 'sinterval', 1000) end
local dailyRemaining = tonumber(ARGV[8])
if dailyRemaining then redis.call('SET', KEYS[4], dailyRemaining, 'PX', 172800000) end
return 1
`

const PAUSE = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local untilMs = tonumber(ARGV[1])
if untilMs > cur then redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, untilMs - tonumber(ARGV[2]) + 1000)) end
return 1
`

/** A RateBudget kept in Redis, shared by every process that uses the same `key`. */
export class RedisBudget implements RateBudget {
  private readonly client: RespClient
  private readonly ownsClient: boolean
  private readonly clock: Clock
  private readonly keys: {window: string; search: string; pause: string; daily: string; limits: string; seq: string}
  private readonly o: Required<Omit<RedisBudgetOptions, 'client' | 'url' | 'clock' | 'key'>>
  private readonly turns = new FifoTurns()
  private wake: {promise: Promise<void>; resolve: () => void} | null = null
  private local = {
    granted: {default: 0, search: 0},
    inFlight: {default: 0, search: 0},
    used: {default: 0, search: 0},
    waitedMs: 0,
    pausedUntil: 0,
    dailyLimit: null as number | null,
    dailyRemaining: null as number | null,
    max: 0,
    intervalMs: 0,
    searchMax: 0,
    /** epoch ms until which acquire is sleeping for a slot right now (0: not waiting), per bucket */
    waiting: {default: 0, search: 0},
  }
  /** the last failed release (Permit.release cannot be async); surfaced by `close()` */
  private releaseError: Error | null = null

  constructor(opts: RedisBudgetOptions) {
    if (!opts.key) throw new TypeError('RedisBudget needs a key (e.g. the portal id) shared by the processes of one portal')
    this.client = opts.client ?? new RespClient(opts.url)
    this.ownsClient = !opts.client
    this.clock = opts.clock ?? systemClock
    const p = `crmsync:{${opts.key}}:`
    this.keys = {window: `${p}window`, search: `${p}search`, pause: `${p}pause`, daily: `${p}daily`, limits: `${p}limits`, seq: `${p}seq`}
    this.o = {
      max: opts.max ?? 100,
      intervalMs: opts.intervalMs ?? 10_000,
      searchMax: opts.searchMax ?? DEFAULT_SEARCH_MAX,
      searchIntervalMs: opts.searchIntervalMs ?? 1000,
      searchCountsTowardsDefault: opts.searchCountsTowardsDefault ?? false,
      timeZone: opts.timeZone ?? 'UTC',
      marginMs: opts.marginMs ?? 25,
      leaseMs: opts.leaseMs ?? 60_000,
      pollMs: opts.pollMs ?? 50,
    }
    nextMidnight(0, this.o.timeZone)
    Object.assign(this.local, {max: this.o.max, intervalMs: this.o.intervalMs, searchMax: this.o.searchMax})
  }

  async acquire(bucket: Bucket, signal?: AbortSignal): Promise<Permit> {
    const release = await this.turns.take(bucket)
    try {
      const started = this.clock.now()
      const member = randomBytes(9).toString('base64url')
      const search = bucket === 'search'
      for (;;) {
        signal?.throwIfAborted()
        const now = this.clock.now()
        const k = this.keys
        const r = (await this.client.command(
          'EVAL',
          ACQUIRE,
          5,
          k.window,
          k.search,
          k.pause,
          k.daily,
          k.limits,
          now,
          search ? 1 : 0,
          member,
          this.o.leaseMs,
          this.o.max,
          this.o.intervalMs,
          this.o.searchMax,
          this.o.searchIntervalMs,
          this.o.searchCountsTowardsDefault ? 1 : 0,
        )) as number[]
        if (r[0] === -1) throw new DailyLimitError(new Date(nextMidnight(now, this.o.timeZone)).toISOString())
        if (r[0] === 1) {
          this.local.used = {default: r[2], search: r[3]}
          this.local.waitedMs += this.clock.now() - started
          return this.grant(bucket, member)
        }
        const wait = Number(r[1])
        // a slot that expires at a known time: sleep until then; one held by a request in flight
        // (here or in another process): poll, or wake at once when one of ours is released
        const inFlight = wait > Math.max(this.local.intervalMs, this.o.searchIntervalMs) + this.o.marginMs
        const sleep = inFlight ? Math.min(wait, this.o.pollMs) : wait
        // shown by a progress display: until the slot frees (a request in flight holding it: the next poll)
        this.local.waiting[bucket] = now + sleep
        await Promise.race([this.clock.sleep(sleep, signal), this.nextRelease()])
      }
    } finally {
      this.local.waiting[bucket] = 0
      release()
    }
  }

  observe(bucket: Bucket, o: RateObservation): void {
    const h = (n: number | undefined): string => (n === undefined ? '' : String(n))
    const [max, interval, remaining, secondly, daily, dailyRemaining] = [o.max, o.intervalMs, o.remaining, o.secondly, o.daily, o.dailyRemaining].map(h)
    const status = o.status
    if (max && Number(max) > 0) this.local.max = Number(max)
    if (interval && Number(interval) > 0) this.local.intervalMs = Number(interval)
    if (bucket === 'search' && secondly && Number(secondly) > 0) this.local.searchMax = Number(secondly)
    if (daily) this.local.dailyLimit = Number(daily)
    if (dailyRemaining) this.local.dailyRemaining = Number(dailyRemaining)
    const k = this.keys
    this.fireAndForget(
      this.client.command(
        'EVAL',
        OBSERVE,
        5,
        k.window,
        k.search,
        k.limits,
        k.daily,
        k.seq,
        this.clock.now(),
        bucket,
        max,
        interval,
        remaining,
        secondly,
        daily,
        dailyRemaining,
        String(status),
        this.o.intervalMs,
        this.o.marginMs,
      ),
    )
  }

  pauseUntil(until: number): void {
    this.local.pausedUntil = Math.max(this.local.pausedUntil, until)
    this.fireAndForget(this.client.command('EVAL', PAUSE, 1, this.keys.pause, until, this.clock.now()))
  }

  /** This process's view: learned limits, its own grants and in-flight requests, and the window counts seen at its last grant. */
  snapshot(): BudgetSnapshot {
    const now = this.clock.now()
    return {
      default: {max: this.local.max, intervalMs: this.local.intervalMs, used: this.local.used.default, inFlight: this.local.inFlight.default, granted: this.local.granted.default},
      search: {max: this.local.searchMax, intervalMs: this.o.searchIntervalMs, used: this.local.used.search, inFlight: this.local.inFlight.search, granted: this.local.granted.search},
      dailyLimit: this.local.dailyLimit,
      dailyRemaining: this.local.dailyRemaining,
      pausedUntil: this.local.pausedUntil > now ? this.local.pausedUntil : null,
      waitedMs: this.local.waitedMs,
      waitingUntil: Math.max(this.local.waiting.default, this.local.waiting.search) > now ? Math.max(this.local.waiting.default, this.local.waiting.search) : null,
    }
  }

  /** Waits for pending writes and closes the connection (when this budget opened it). */
  async close(): Promise<void> {
    await this.client.command('PING').catch(() => undefined)
    if (this.ownsClient) this.client.close()
    if (this.releaseError) throw this.releaseError
  }

  private grant(bucket: Bucket, member: string): Permit {
    const search = bucket === 'search'
    const counts = search ? (this.o.searchCountsTowardsDefault ? (['search', 'default'] as const) : (['search'] as const)) : (['default'] as const)
    for (const b of counts) {
      this.local.inFlight[b]++
      this.local.granted[b]++
    }
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        for (const b of counts) this.local.inFlight[b]--
        const k = this.keys
        const inDefault = counts.includes('default' as never) ? 1 : 0
        this.fireAndForget(
          this.client.command('EVAL', RELEASE, 3, k.window, k.search, k.limits, member, this.clock.now(), this.o.intervalMs, this.o.searchIntervalMs, this.o.marginMs, inDefault, search ? 1 : 0),
        )
        const wake = this.wake
        this.wake = null
        wake?.resolve()
      },
    }
  }

  private nextRelease(): Promise<void> {
    if (!this.wake) {
      let resolve!: () => void
      const promise = new Promise<void>((r) => (resolve = r))
      this.wake = {promise, resolve}
    }
    return this.wake.promise
  }

  private fireAndForget(p: Promise<RespValue>): void {
    p.catch((err: Error) => {
      this.releaseError = err
    })
  }
}
