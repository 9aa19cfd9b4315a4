import {afterEach, describe, expect, it} from 'vitest'
import {parseRate, SpecError, type InProcessEmulator} from '../../src/emulator/index.js'
import {call, emulator, fakeClock, TOKEN} from './emulator-fixture.js'

let emu: InProcessEmulator | undefined
afterEach(() => emu?.close())

const list = (e: InProcessEmulator) => call(e, 'GET', '/crm/v3/objects/contacts?limit=1')
const search = (e: InProcessEmulator) => call(e, 'POST', '/crm/v3/objects/contacts/search', {limit: 1})

describe('authentication and scopes', () => {
  it('answers 401 with HubSpot’s body for a missing or wrong token and never echoes it', async () => {
    emu = await emulator()
    const none = await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {})
    expect(none.status).toBe(401)
    expect(none.body).toMatchObject({status: 'error', category: 'INVALID_AUTHENTICATION'})
    const wrong = await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {authorization: 'Bearer secret-wrong-token'})
    expect(wrong.status).toBe(401)
    expect(wrong.text).not.toContain('secret-wrong-token')
    expect(emu.stats.unauthorized).toBe(2)
  })

  it('accepts any non-empty bearer token when no token is configured', async () => {
    const saved = process.env.HUBSPOT_ACCESS_TOKEN
    delete process.env.HUBSPOT_ACCESS_TOKEN
    try {
      emu = await emulator({token: undefined})
      expect((await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {authorization: 'Bearer anything'})).status).toBe(200)
      expect((await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {authorization: 'Bearer '})).status).toBe(401)
    } finally {
      if (saved !== undefined) process.env.HUBSPOT_ACCESS_TOKEN = saved
    }
  })

  it('uses HUBSPOT_ACCESS_TOKEN when no token option is given', async () => {
    const saved = process.env.HUBSPOT_ACCESS_TOKEN
    process.env.HUBSPOT_ACCESS_TOKEN = 'from-env'
    try {
      emu = await emulator({token: undefined})
      expect((await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {authorization: 'Bearer from-env'})).status).toBe(200)
      expect((await call(emu, 'GET', '/crm/v3/objects/contacts', undefined, {authorization: `Bearer ${TOKEN}`})).status).toBe(401)
    } finally {
      if (saved === undefined) delete process.env.HUBSPOT_ACCESS_TOKEN
      else process.env.HUBSPOT_ACCESS_TOKEN = saved
    }
  })

  it('answers 403 MISSING_SCOPES for a denied object type only', async () => {
    emu = await emulator({deniedScopes: ['deals']})
    const r = await call(emu, 'GET', '/crm/v3/objects/0-3')
    expect(r.status).toBe(403)
    expect(r.body).toMatchObject({status: 'error', category: 'MISSING_SCOPES'})
    expect(r.body.errors[0].context.requiredGranularScopes).toEqual(['crm.objects.deals.read'])
    expect((await call(emu, 'POST', '/crm/v4/associations/contacts/deals/batch/read', {inputs: [{id: '1'}]})).status).toBe(403)
    expect((await list(emu)).status).toBe(200)
  })
})

describe('rate limits', () => {
  it('enforces and advertises HubSpot’s 190/10 s tier when no limit is configured', async () => {
    const clock = fakeClock()
    emu = await emulator({now: clock.now})
    const first = await list(emu)
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('190')
    expect(first.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('189')
    for (let i = 1; i < 190; i++) expect((await list(emu)).status).toBe(200)
    const over = await list(emu)
    expect(over.status).toBe(429)
    expect(over.body.policyName).toBe('TEN_SECONDLY_ROLLING')
  })

  it('has no limit and no rate-limit headers with rateLimit none', async () => {
    emu = await emulator({rateLimit: 'none'})
    for (let i = 0; i < 300; i++) expect((await list(emu)).status).toBe(200)
    expect((await list(emu)).headers.get('x-hubspot-ratelimit-max')).toBeNull()
  })

  it("limits search to HubSpot's 5 per second by default, with HubSpot's SECONDLY 429 body; none and --rate-limit none turn it off", async () => {
    const clock = fakeClock()
    emu = await emulator({searchRate: undefined, now: clock.now}) // the emulator's own default
    for (let i = 0; i < 5; i++) expect((await search(emu)).status).toBe(200)
    const sixth = await search(emu)
    expect(sixth.status).toBe(429)
    expect(sixth.body).toMatchObject({status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY'})
    expect(typeof sixth.body.correlationId).toBe('string')
    clock.advance(1000)
    expect((await search(emu)).status).toBe(200)
    await emu.close()
    emu = await emulator({searchRate: 'none', now: clock.now})
    for (let i = 0; i < 20; i++) expect((await search(emu)).status).toBe(200)
    await emu.close()
    emu = await emulator({rateLimit: 'none', searchRate: undefined, now: clock.now})
    for (let i = 0; i < 20; i++) expect((await search(emu)).status).toBe(200)
  })

  it('sends no rate-limit headers on search answers, and search does not use the ten-second window', async () => {
    const clock = fakeClock()
    emu = await emulator({rateLimit: '2/10s', searchRate: '5/s', now: clock.now})
    for (let i = 0; i < 5; i++) {
      const s = await search(emu)
      expect(s.status).toBe(200)
      expect([...s.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([])
    }
    const sixth = await search(emu)
    expect(sixth.status).toBe(429)
    expect(sixth.body.policyName).toBe('SECONDLY')
    expect([...sixth.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([])
    expect((await list(emu)).headers.get('x-hubspot-ratelimit-remaining')).toBe('1')
  })

  it('enforces the rolling window with headers, TEN_SECONDLY_ROLLING 429s and Retry-After', async () => {
    const clock = fakeClock()
    emu = await emulator({rateLimit: '3/10s', now: clock.now})
    const first = await list(emu)
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('3')
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('2')
    expect(first.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    clock.advance(4000)
    await list(emu)
    await list(emu)
    const limited = await list(emu)
    expect(limited.status).toBe(429)
    expect(limited.body).toMatchObject({status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING'})
    expect(limited.body.correlationId).toBeTruthy()
    expect(limited.headers.get('retry-after')).toBe('6') // the first request leaves the window in 6 s
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0')
    clock.advance(6000) // rolling: only the first request has left the window
    expect((await list(emu)).status).toBe(200)
    expect((await list(emu)).status).toBe(429)
    expect(emu.stats.rateLimited.TEN_SECONDLY_ROLLING).toBe(2)
  })

  it('limits search separately with SECONDLY 429s', async () => {
    const clock = fakeClock()
    emu = await emulator({searchRate: '2/s', rateLimit: '100/10s', now: clock.now})
    expect((await search(emu)).status).toBe(200)
    expect((await search(emu)).status).toBe(200)
    const r = await search(emu)
    expect(r.status).toBe(429)
    expect(r.body).toMatchObject({policyName: 'SECONDLY', message: 'You have reached your secondly limit.'})
    expect((await list(emu)).status).toBe(200) // other endpoints are not in the search bucket
    clock.advance(1000)
    expect((await search(emu)).status).toBe(200)
  })

  it('enforces the daily limit with DAILY 429s and daily headers, reset at UTC midnight', async () => {
    const clock = fakeClock(Date.parse('2025-06-01T23:59:00.000Z'))
    emu = await emulator({dailyLimit: 2, now: clock.now})
    const a = await list(emu)
    expect(a.headers.get('x-hubspot-ratelimit-daily')).toBe('2')
    expect(a.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('1')
    await list(emu)
    const r = await list(emu)
    expect(r.status).toBe(429)
    expect(r.body).toMatchObject({policyName: 'DAILY', message: 'You have reached your daily limit.'})
    expect(r.headers.get('retry-after')).toBe('60')
    clock.advance(60_000)
    expect((await list(emu)).status).toBe(200)
  })

  it('can leave Retry-After out', async () => {
    emu = await emulator({rateLimit: '1/10s', retryAfter: false, now: fakeClock().now})
    await list(emu)
    const r = await list(emu)
    expect(r.status).toBe(429)
    expect(r.headers.get('retry-after')).toBeNull()
  })

  it('parses rate specs and rejects bad ones with the expected form', () => {
    expect(parseRate('100/10s', '--rate-limit')).toEqual({max: 100, intervalMs: 10_000})
    expect(parseRate('5/s', '--search-rate')).toEqual({max: 5, intervalMs: 1000})
    expect(parseRate('190/10000ms', '--rate-limit')).toEqual({max: 190, intervalMs: 10_000})
    expect(() => parseRate('abc', '--rate-limit')).toThrow(SpecError)
    expect(() => parseRate('0/10s', '--rate-limit')).toThrow(/100\/10s/)
  })
})
