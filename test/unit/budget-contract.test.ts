/**
 * The RateBudget contract, run against every implementation: InProcessBudget, and RedisBudget
 * against a real redis-server started for this file on a free port (skipped, with the reason,
 * when no redis-server binary is installed). A fake clock makes every wait instant.
 */
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {createServer} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DailyLimitError} from '../../src/core/api-errors.js'
import {rateObservation} from '../../src/connectors/hubspot/rate-headers.js'
import {FakeClock} from '../../src/core/budget-clock.js'
import {RespClient} from '../../src/core/budget-redis-resp.js'
import {RedisBudget} from '../../src/core/budget-redis.js'
import {InProcessBudget, type RateBudget} from '../../src/core/budget.js'

function redisBinary(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], {encoding: 'utf8'}).trim() || null
  } catch {
    return null
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => resolve(port))
    })
  })
}

const bin = redisBinary()
let redis: ChildProcess | undefined
let url = ''
const clients: RespClient[] = []

beforeAll(async () => {
  if (!bin) return
  const port = await freePort()
  redis = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'})
  url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    const c = new RespClient(url)
    try {
      if ((await c.command('PING')) === 'PONG') {
        clients.push(c)
        return
      }
    } catch {
      c.close()
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  throw new Error('redis-server did not start')
})

afterAll(() => {
  for (const c of clients) c.close()
  redis?.kill()
})

type Make = (clock: FakeClock, opts?: {max?: number; intervalMs?: number; marginMs?: number; timeZone?: string}, key?: string) => RateBudget

const implementations: Array<{name: string; make: Make; available: () => boolean}> = [
  {name: 'InProcessBudget', available: () => true, make: (clock, o = {}) => new InProcessBudget({clock, ...o})},
  {
    name: 'RedisBudget',
    available: () => bin !== null,
    make: (clock, o = {}, key = randomBytes(6).toString('hex')) => {
      const client = new RespClient(url)
      clients.push(client)
      return new RedisBudget({key, client, clock, ...o})
    },
  },
]

function headers(h: Record<string, string | number>): Headers {
  return new Headers(Object.fromEntries(Object.entries(h).map(([k, v]) => [`x-hubspot-ratelimit-${k}`, String(v)])))
}

/** A fake clock that calls `probe` as each sleep begins (to look at the budget while it waits). */
class ProbeClock extends FakeClock {
  probe: ((ms: number) => void) | undefined
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.probe?.(ms)
    return super.sleep(ms, signal)
  }
}

const flush = () => new Promise((r) => setTimeout(r, 20))

for (const impl of implementations) {
  describe.skipIf(!impl.available())(`RateBudget contract: ${impl.name}${impl.available() ? '' : ' (skipped: redis-server is not installed)'}`, () => {
    it('paces 100 req/10 s to at least 95% without exceeding a rolling server window', async () => {
      const clock = new FakeClock(0)
      const b = impl.make(clock)
      const arrivals: number[] = []
      const grants: number[] = []
      let violations = 0
      for (let i = 0; i < 400; i++) {
        const p = await b.acquire('default')
        grants.push(clock.now())
        clock.advance(10)
        const t = clock.now()
        if (arrivals.filter((a) => a > t - 10_000).length >= 100) violations++
        arrivals.push(t)
        clock.advance(20)
        p.release()
      }
      expect(violations).toBe(0)
      // steady state (after the first window's burst): grants in two whole windows from the 101st
      const start = grants[100]
      const inTwoWindows = grants.filter((t) => t >= start && t < start + 20_000).length
      expect(inTwoWindows).toBeGreaterThanOrEqual(190)
      expect(inTwoWindows).toBeLessThanOrEqual(200)
    })

    it('counts in-flight requests: a window full of unfinished requests waits for a release', async () => {
      const clock = new FakeClock(0)
      const b = impl.make(clock, {max: 2, intervalMs: 1000, marginMs: 0})
      const p1 = await b.acquire('default')
      await b.acquire('default')
      let granted = false
      const third = b.acquire('default').then((p) => ((granted = true), p))
      await flush()
      expect(granted).toBe(false)
      const releasedAt = clock.now()
      p1.release()
      await third
      expect(clock.now()).toBeGreaterThanOrEqual(releasedAt + 1000)
    })

    it('says until when a caller waits for a full window (snapshot().waitingUntil, for progress displays)', async () => {
      const clock = new ProbeClock(0)
      const b = impl.make(clock, {max: 2, intervalMs: 1000, marginMs: 0})
      ;(await b.acquire('default')).release()
      ;(await b.acquire('default')).release()
      await flush()
      expect(b.snapshot().waitingUntil ?? null).toBeNull()
      const seen: Array<{now: number; ms: number; until: number | null}> = []
      clock.probe = (ms) => seen.push({now: clock.now(), ms, until: b.snapshot().waitingUntil ?? null})
      ;(await b.acquire('default')).release()
      clock.probe = undefined
      expect(seen.length).toBeGreaterThan(0)
      for (const s of seen) expect(s.until).toBe(s.now + s.ms)
      expect(b.snapshot().waitingUntil ?? null).toBeNull()
    })

    it('holds every bucket during pauseUntil', async () => {
      const clock = new FakeClock(0)
      const b = impl.make(clock)
      b.pauseUntil(3000)
      ;(await b.acquire('search')).release()
      expect(clock.now()).toBeGreaterThanOrEqual(3000)
    })

    it('throws DailyLimitError with the next midnight in the portal time zone at the daily cap', async () => {
      const clock = new FakeClock(Date.UTC(2026, 0, 10, 14, 30)) // 23:30 in Tokyo
      const b = impl.make(clock, {timeZone: 'Asia/Tokyo'})
      b.observe('default', rateObservation(headers({daily: 1000, 'daily-remaining': 1}), 200))
      await flush()
      ;(await b.acquire('default')).release()
      const err = await b.acquire('default').catch((e: unknown) => e)
      expect(err).toBeInstanceOf(DailyLimitError)
      expect((err as DailyLimitError).resumeAt).toBe('2026-01-10T15:00:00.000Z')
    })

    it('learns the window from headers and counts requests of other clients from -Remaining', async () => {
      const clock = new FakeClock(0)
      const b = impl.make(clock, {marginMs: 0})
      ;(await b.acquire('default')).release()
      b.observe('default', rateObservation(headers({max: 10, 'interval-milliseconds': 2000, remaining: 4}), 200))
      await flush()
      for (let i = 0; i < 4; i++) (await b.acquire('default')).release()
      expect(clock.now()).toBe(0)
      ;(await b.acquire('default')).release()
      expect(clock.now()).toBeGreaterThan(0)
      expect(b.snapshot().default).toMatchObject({max: 10, intervalMs: 2000})
    })

    it('keeps a separate search bucket (5/s by default)', async () => {
      const clock = new FakeClock(0)
      const b = impl.make(clock, {marginMs: 0})
      for (let i = 0; i < 5; i++) (await b.acquire('search')).release()
      expect(clock.now()).toBe(0)
      ;(await b.acquire('default')).release()
      expect(clock.now()).toBe(0)
      ;(await b.acquire('search')).release()
      expect(clock.now()).toBe(1000)
    })
  })
}

describe.skipIf(!bin)('RedisBudget across processes', () => {
  it('two budgets with the same key share one window; another key is independent', async () => {
    const clock = new FakeClock(0)
    const key = randomBytes(6).toString('hex')
    const [c1, c2, c3] = [new RespClient(url), new RespClient(url), new RespClient(url)]
    clients.push(c1, c2, c3)
    const a = new RedisBudget({key, client: c1, clock, max: 3, intervalMs: 1000, marginMs: 0})
    const b = new RedisBudget({key, client: c2, clock, max: 3, intervalMs: 1000, marginMs: 0})
    const other = new RedisBudget({key: `${key}-x`, client: c3, clock, max: 3, intervalMs: 1000, marginMs: 0})
    for (let i = 0; i < 3; i++) (await a.acquire('default')).release()
    await flush()
    ;(await other.acquire('default')).release()
    expect(clock.now()).toBe(0)
    ;(await b.acquire('default')).release()
    expect(clock.now()).toBe(1000)
    // a pause set through one process holds the other
    a.pauseUntil(5000)
    await flush()
    ;(await b.acquire('default')).release()
    expect(clock.now()).toBe(5000)
  })
})
