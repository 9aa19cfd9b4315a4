import {getEventListeners} from 'node:events'
import {describe, expect, it} from 'vitest'
import {DailyLimitError} from '../../src/core/api-errors.js'
import {rateObservation} from '../../src/connectors/hubspot/rate-headers.js'
import {FakeClock} from '../../src/core/budget-clock.js'
import {nextMidnight} from '../../src/core/budget-time.js'
import {InProcessBudget} from '../../src/core/budget.js'

function headers(h: Record<string, string | number>): Headers {
  return new Headers(Object.fromEntries(Object.entries(h).map(([k, v]) => [`x-hubspot-ratelimit-${k}`, String(v)])))
}

/** A server-side rolling window that records arrival times and counts violations. */
function rollingServer(max: number, intervalMs: number) {
  const arrivals: number[] = []
  let violations = 0
  return {
    arrive(t: number) {
      const inWindow = arrivals.filter((a) => a > t - intervalMs).length
      if (inWindow >= max) violations++
      arrivals.push(t)
    },
    get violations() {
      return violations
    },
  }
}

describe('InProcessBudget', () => {
  it('uses at least 95% of 100 req/10 s without ever exceeding the server window (sequential, 30 ms latency)', async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock, max: 100, intervalMs: 10_000})
    const server = rollingServer(100, 10_000)
    const start = clock.now()
    const n = 1000
    for (let i = 0; i < n; i++) {
      const p = await budget.acquire('default')
      clock.advance(10)
      server.arrive(clock.now())
      clock.advance(20)
      p.release()
    }
    const elapsed = clock.now() - start
    expect(server.violations).toBe(0)
    // n requests over elapsed ms; the first window is free, so compare from the first wait
    const rate = (n - 100) / (elapsed / 10_000) / 100
    expect(rate).toBeGreaterThanOrEqual(0.95)
    expect(rate).toBeLessThanOrEqual(1)
  })

  it('counts in-flight requests: a full window of unfinished requests blocks until one is released', async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock, max: 3, intervalMs: 1000, marginMs: 0})
    const permits = [await budget.acquire('default'), await budget.acquire('default'), await budget.acquire('default')]
    let granted = false
    const fourth = budget.acquire('default').then((p) => {
      granted = true
      return p
    })
    await new Promise((r) => setTimeout(r, 5))
    expect(granted).toBe(false)
    expect(budget.snapshot().default).toMatchObject({used: 3, inFlight: 3})
    clock.advance(50)
    permits[0].release() // its slot stays counted for intervalMs after the response
    await fourth
    expect(clock.now()).toBe(1050)
  })

  it("keeps a separate search bucket (5/s by default, HubSpot's) that does not count against the 10 s window", async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock, marginMs: 0})
    for (let i = 0; i < 5; i++) (await budget.acquire('search')).release()
    expect(clock.now()).toBe(0)
    ;(await budget.acquire('search')).release()
    expect(clock.now()).toBe(1000)
    ;(await budget.acquire('default')).release() // default window has room: no wait
    expect(clock.now()).toBe(1000)
    expect(budget.snapshot().default.used).toBe(1)
    expect(budget.snapshot().search.granted).toBe(6)
  })

  it('counts search against the 10 s window too when searchCountsTowardsDefault is set', async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock, marginMs: 0, max: 3, searchMax: 10, searchCountsTowardsDefault: true})
    for (let i = 0; i < 3; i++) (await budget.acquire('search')).release()
    expect(budget.snapshot().default.used).toBe(3)
    ;(await budget.acquire('default')).release() // the window is full of search requests: waits for the first to expire
    expect(clock.now()).toBe(10_000)
  })

  it('learns Max and Interval from headers, and counts other clients from Remaining', async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock, marginMs: 0})
    const p = await budget.acquire('default')
    p.release()
    budget.observe('default', rateObservation(headers({max: 10, 'interval-milliseconds': 2000, remaining: 4}), 200))
    const s = budget.snapshot().default
    expect(s).toMatchObject({max: 10, intervalMs: 2000, used: 6}) // 1 ours + 5 from someone else
    for (let i = 0; i < 4; i++) (await budget.acquire('default')).release()
    expect(clock.now()).toBe(0)
    ;(await budget.acquire('default')).release()
    expect(clock.now()).toBeGreaterThan(0)
  })

  it('applies -Max/-Interval to the portal window even on search answers (they never describe the search bucket)', () => {
    const budget = new InProcessBudget({clock: new FakeClock(0)})
    budget.observe('search', rateObservation(headers({max: 25, 'interval-milliseconds': 1000, remaining: 24}), 200))
    expect(budget.snapshot().search.max).toBe(5)
    expect(budget.snapshot().default).toMatchObject({max: 25, intervalMs: 1000})
  })

  it('learns the search bucket from -Secondly on search answers only', () => {
    const budget = new InProcessBudget({clock: new FakeClock(0)})
    budget.observe('default', rateObservation(headers({secondly: 9}), 200))
    expect(budget.snapshot().search.max).toBe(5)
    budget.observe('search', rateObservation(headers({secondly: 3, 'secondly-remaining': 2}), 200))
    expect(budget.snapshot().search).toMatchObject({max: 3, intervalMs: 1000})
  })

  it('ignores garbage header values', () => {
    const budget = new InProcessBudget({clock: new FakeClock(0)})
    budget.observe('default', rateObservation(new Headers({'x-hubspot-ratelimit-max': 'lots', 'x-hubspot-ratelimit-daily-remaining': '-3'}), 200))
    expect(budget.snapshot()).toMatchObject({default: {max: 100, intervalMs: 10_000}, dailyRemaining: null})
  })

  it('holds every bucket during pauseUntil', async () => {
    const clock = new FakeClock(0)
    const budget = new InProcessBudget({clock})
    budget.pauseUntil(2500)
    expect(budget.snapshot().pausedUntil).toBe(2500)
    ;(await budget.acquire('search')).release()
    expect(clock.now()).toBe(2500)
    expect(budget.snapshot().waitedMs).toBe(2500)
  })

  it('throws DailyLimitError at the daily cap with the next midnight in the portal time zone', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 15, 20, 30)) // 16:30 in New York (EDT)
    const budget = new InProcessBudget({clock, timeZone: 'America/New_York'})
    budget.observe('default', rateObservation(headers({daily: 250000, 'daily-remaining': 1}), 200))
    ;(await budget.acquire('default')).release()
    const err = await budget.acquire('default').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DailyLimitError)
    expect((err as DailyLimitError).resumeAt).toBe('2026-06-16T04:00:00.000Z')
    expect((err as DailyLimitError).message).toMatch(/daily/)
  })

  it('rejects a waiting acquire when its signal aborts', async () => {
    const budget = new InProcessBudget({max: 1, intervalMs: 1000})
    const p = await budget.acquire('default')
    const ac = new AbortController()
    const waiting = budget.acquire('default', ac.signal)
    ac.abort(new Error('cancelled'))
    await expect(waiting).rejects.toThrow('cancelled')
    p.release()
  })

  it('rejects bad options and unknown time zones', () => {
    expect(() => new InProcessBudget({max: 0})).toThrow(/max/)
    expect(() => new InProcessBudget({timeZone: 'Mars/Olympus'})).toThrow(RangeError)
  })
})

describe('nextMidnight', () => {
  it('finds local midnight in UTC and across a DST change', () => {
    expect(new Date(nextMidnight(Date.UTC(2026, 0, 1, 12), 'UTC')).toISOString()).toBe('2026-01-02T00:00:00.000Z')
    expect(new Date(nextMidnight(Date.UTC(2026, 0, 1, 23, 59, 59, 999), 'UTC')).toISOString()).toBe('2026-01-02T00:00:00.000Z')
    // 2026-03-08 is the US spring-forward day: midnight after 7 March 20:00 EST is 05:00Z, after 8 March it is 04:00Z
    expect(new Date(nextMidnight(Date.UTC(2026, 2, 8, 1), 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z')
    expect(new Date(nextMidnight(Date.UTC(2026, 2, 8, 12), 'America/New_York')).toISOString()).toBe('2026-03-09T04:00:00.000Z')
    expect(new Date(nextMidnight(Date.UTC(2026, 0, 1, 12), 'Asia/Kolkata')).toISOString()).toBe('2026-01-01T18:30:00.000Z')
  })

  it('answers UTC without Intl exactly as the Intl path answers Etc/UTC (midnights, month and year ends, a leap day)', () => {
    const instants = [
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1, 0, 0, 0, 1),
      Date.UTC(2026, 0, 31, 23, 59, 59, 999),
      Date.UTC(2028, 1, 28, 12),
      Date.UTC(2028, 1, 29, 23),
      Date.UTC(2026, 11, 31, 23, 30),
    ]
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 37 * 3600_000 + 12_345) instants.push(t)
    for (const t of instants) expect(nextMidnight(t, 'UTC'), new Date(t).toISOString()).toBe(nextMidnight(t, 'Etc/UTC'))
  })
})

describe("InProcessBudget and the caller's abort signal", () => {
  it('leaves no listener on the signal behind a wait that ended by sleeping (many requests in flight, as with two lanes)', async () => {
    const clock = new FakeClock(0)
    const b = new InProcessBudget({clock})
    const run = new AbortController()
    const held = [await b.acquire('default', run.signal)] // in flight for the whole test: no release wakes a waiter
    for (let i = 0; i < 20; i++) {
      b.pauseUntil(clock.now() + 100) // each acquire sleeps the pause out
      held.push(await b.acquire('default', run.signal))
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
    for (const p of held) p.release()
  })

  it('still stops a sleeping wait when the signal aborts', async () => {
    const b = new InProcessBudget({max: 1, intervalMs: 60_000})
    ;(await b.acquire('default')).release()
    const run = new AbortController()
    const waiting = b.acquire('default', run.signal)
    run.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
  })
})
