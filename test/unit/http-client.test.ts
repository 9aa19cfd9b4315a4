import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import nock from 'nock'
import {afterEach, beforeAll, afterAll, describe, expect, it} from 'vitest'
import {ApiError, DailyLimitError, RetryExhaustedError} from '../../src/core/api-errors.js'
import {AuthError, ScopeError} from '../../src/connectors/hubspot/api-errors.js'
import {FakeClock} from '../../src/core/budget-clock.js'
import {InProcessBudget} from '../../src/core/budget.js'
import {HubSpotHttpClient, normalizeAssociationIds} from '../../src/connectors/hubspot/http-client.js'
import {emptyStats, streamClient} from '../../src/core/http-types.js'
import {PATHS} from '../../src/connectors/hubspot/objects.js'

// nock 15 calls Promise.withResolvers (Node 22+); Node 20 lacks it, so supply it for this file.
const P = Promise as unknown as {withResolvers?: () => unknown}
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void
  let reject!: (e: unknown) => void
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)))
  return {promise, resolve, reject}
}

const BASE = 'http://hubspot.test'
const TOKEN = 'pat-na1-SECRET-TOKEN-123'

function cassette(name: string): nock.Scope[] {
  return nock.define(JSON.parse(readFileSync(new URL(`../../fixtures/cassettes/${name}.json`, import.meta.url), 'utf8')))
}

function client(extra: {maxAttempts?: number; logger?: {debug: (o: Record<string, unknown>, m?: string) => void}} = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1))
  const budget = new InProcessBudget({clock})
  const c = new HubSpotHttpClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    budget,
    clock,
    random: () => 0.5,
    retry: {maxAttempts: extra.maxAttempts ?? 4, baseDelayMs: 1000, maxDelayMs: 8000},
    logger: extra.logger,
  })
  return {c, clock, budget}
}

beforeAll(() => nock.disableNetConnect())
afterAll(() => nock.enableNetConnect())
afterEach(() => nock.cleanAll())

describe('HubSpotHttpClient against recorded cassettes', () => {
  it('retries a 429 after the Retry-After seconds and learns the window and daily figures from headers', async () => {
    const scopes = cassette('retry-429-retry-after')
    const {c, clock, budget} = client()
    const res = await c.request<{results: Array<{id: string}>}>({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100, after: undefined}})
    expect(res.status).toBe(200)
    expect(res.body.results[0].id).toBe('1')
    expect(clock.sleeps).toContain(3000) // Retry-After: 3
    expect(c.stats).toEqual({requests: 2, retries: 1, rateLimited: 1, serverErrors: 0, networkErrors: 0})
    const snap = budget.snapshot()
    expect(snap.dailyLimit).toBe(250000)
    expect(snap.dailyRemaining).toBe(249000)
    expect(snap.default.max).toBe(100)
    for (const s of scopes) expect(s.isDone()).toBe(true)
  })

  it("counts a stream view's requests, retries and 429s in the view and in the client, not in another view", async () => {
    cassette('retry-429-retry-after')
    const {c} = client()
    const a = streamClient(c)
    const b = streamClient(c)
    await a.request({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100, after: undefined}})
    expect(a.stats).toEqual({requests: 2, retries: 1, rateLimited: 1, serverErrors: 0, networkErrors: 0})
    expect(b.stats).toEqual(emptyStats())
    expect(c.stats).toEqual(a.stats)
  })

  it('backs off exponentially with jitter on 429 without Retry-After and pauses the shared budget', async () => {
    cassette('retry-429-no-retry-after')
    const {c, clock, budget} = client()
    const paused: number[] = []
    const orig = budget.pauseUntil.bind(budget)
    budget.pauseUntil = (t: number) => {
      paused.push(t)
      orig(t)
    }
    await c.request({method: 'GET', path: PATHS.list('deals'), query: {limit: 100}})
    // random() = 0.5: delays are 0.5 * 1000 * 2^0 and 0.5 * 1000 * 2^1
    expect(clock.sleeps.filter((s) => s >= 100)).toEqual([500, 1000])
    expect(paused).toHaveLength(2)
    expect(c.stats.rateLimited).toBe(2)
    expect(c.stats.retries).toBe(2)
  })

  it('retries 5xx (honouring an HTTP-date Retry-After) then succeeds on search', async () => {
    cassette('server-error-then-success')
    const {c, clock} = client()
    const res = await c.request<{total: number}>({method: 'POST', path: PATHS.search('contacts'), body: {limit: 200, filterGroups: []}, bucket: 'search'})
    expect(res.body.total).toBe(0)
    expect(c.stats.serverErrors).toBe(2)
    // the 503's Retry-After is an HTTP date 2 s after the fake clock's start
    expect(clock.sleeps.some((s) => s > 0 && s <= 2000)).toBe(true)
  })

  it('retries a malformed JSON body and counts it as a network error', async () => {
    cassette('malformed-json-then-success')
    const {c} = client()
    const res = await c.request<{results: Array<{name: string}>}>({method: 'GET', path: PATHS.properties('contacts')})
    expect(res.body.results[0].name).toBe('email')
    expect(c.stats).toMatchObject({requests: 2, retries: 1, networkErrors: 1})
  })

  it('maps error bodies to AuthError, ScopeError, ApiError and DailyLimitError without retrying', async () => {
    cassette('error-bodies')
    const {c} = client()
    const err401 = await c.request({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100}}).catch((e: unknown) => e)
    expect(err401).toBeInstanceOf(AuthError)
    expect((err401 as AuthError).options.suggestion).toMatch(/HUBSPOT_ACCESS_TOKEN/)
    expect((err401 as AuthError).exitCode).toBe(1)

    const err403 = await c.request({method: 'GET', path: PATHS.list('0-421'), query: {limit: 100}}).catch((e: unknown) => e)
    expect(err403).toBeInstanceOf(ScopeError)
    expect((err403 as ScopeError).scopes).toEqual(['crm.objects.appointments.read'])
    expect((err403 as ScopeError).options.suggestion).toMatch(/Private Apps.*crm\.objects\.appointments\.read/)

    const err403b = await c.request({method: 'GET', path: PATHS.schemas()}).catch((e: unknown) => e)
    expect((err403b as ScopeError).scopes).toEqual(['crm.schemas.custom.read'])

    const err404 = await c.request({method: 'GET', path: PATHS.list('2-999'), query: {limit: 100}}).catch((e: unknown) => e)
    expect(err404).toBeInstanceOf(ApiError)
    expect(err404).toMatchObject({status: 404, category: 'OBJECT_NOT_FOUND', correlationId: 'c-404'})
    expect((err404 as ApiError).message).toMatch(/Unable to infer object type/)

    const err400 = await c.request({method: 'POST', path: PATHS.search('contacts'), body: {after: '10000', limit: 200}, bucket: 'search'}).catch((e: unknown) => e)
    expect(err400).toMatchObject({status: 400, category: 'VALIDATION_ERROR'})

    const daily = await c.request({method: 'GET', path: PATHS.list('deals'), query: {limit: 100}}).catch((e: unknown) => e)
    expect(daily).toBeInstanceOf(DailyLimitError)
    expect((daily as DailyLimitError).resumeAt).toBe('2026-01-02T00:00:00.000Z')

    expect(c.stats.retries).toBe(0)
    expect(c.stats.requests).toBe(6)
    for (const e of [err401, err403, err404, err400, daily]) expect(String((e as Error).message) + JSON.stringify(e)).not.toContain(TOKEN)
  })

  it('gives up with RetryExhaustedError after the configured attempts', async () => {
    cassette('retry-exhausted')
    const {c} = client({maxAttempts: 3})
    const err = await c.request({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100}}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RetryExhaustedError)
    expect((err as RetryExhaustedError).attempts).toBe(3)
    expect((err as RetryExhaustedError).lastStatus).toBe(429)
    expect(c.stats).toMatchObject({requests: 3, retries: 2, serverErrors: 2, rateLimited: 1})
  })
})

describe('HubSpotHttpClient request shape and secrecy', () => {
  it('sends the bearer token only in the Authorization header, encodes the query, and never logs the token', async () => {
    const scope = nock(BASE)
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .get('/crm/v3/objects/contacts')
      .query({limit: '100', after: 'abc', properties: 'email,firstname'})
      .reply(200, {results: []})
    const lines: string[] = []
    const {c} = client({logger: {debug: (o, m) => lines.push(JSON.stringify(o) + (m ?? ''))}})
    expect(c.url({path: '/x', query: {a: 'b c', skip: undefined}})).toBe(`${BASE}/x?a=b+c`)
    await c.request({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100, after: 'abc', properties: 'email,firstname'}})
    expect(scope.isDone()).toBe(true)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).toMatch(/"status":200/)
    expect(lines.join('\n')).not.toContain(TOKEN)
    expect(JSON.stringify(c)).not.toContain(TOKEN)
  })

  it('retries a connection reset (real loopback socket destroyed mid-request) as a network error', async () => {
    nock.enableNetConnect('127.0.0.1')
    let n = 0
    const srv = createServer((req, res) => {
      if (++n === 1) {
        req.socket.destroy()
        return
      }
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({results: [{id: '9'}]}))
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    try {
      const clock = new FakeClock()
      const c = new HubSpotHttpClient({baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, accessToken: TOKEN, clock, budget: new InProcessBudget({clock})})
      const res = await c.request<{results: Array<{id: string}>}>({method: 'GET', path: PATHS.list('deals')})
      expect(res.body.results[0].id).toBe('9')
      expect(c.stats).toMatchObject({requests: 2, networkErrors: 1, retries: 1})
    } finally {
      srv.close()
      nock.disableNetConnect()
    }
  }, 10_000)

  it('stops at once when the caller aborts', async () => {
    nock(BASE).get('/crm/v3/objects/deals').reply(500, {})
    const {c} = client()
    const ac = new AbortController()
    ac.abort(new Error('stop now'))
    await expect(c.request({method: 'GET', path: PATHS.list('deals')}, ac.signal)).rejects.toThrow('stop now')
  })

  it('retries an attempt that gets no answer within timeoutMs, and never follows a redirect', async () => {
    nock.enableNetConnect('127.0.0.1')
    let n = 0
    const srv = createServer((req, res) => {
      n++
      if (req.url?.startsWith('/hang')) {
        if (n === 1) return // never answer the first request
        res.writeHead(200, {'content-type': 'application/json'})
        res.end('{"ok":true}')
        return
      }
      res.writeHead(301, {location: 'http://elsewhere.test/steal'})
      res.end()
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    try {
      const clock = new FakeClock()
      const c = new HubSpotHttpClient({baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, accessToken: TOKEN, clock, budget: new InProcessBudget({clock}), timeoutMs: 300})
      const res = await c.request<{ok: boolean}>({method: 'GET', path: '/hang'})
      expect(res.body.ok).toBe(true)
      expect(c.stats).toMatchObject({requests: 2, networkErrors: 1, retries: 1})
      const err = await c.request({method: 'GET', path: '/moved'}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect((err as ApiError).status).toBe(301)
      expect((err as ApiError).options.suggestion).toMatch(/base-url/)
    } finally {
      srv.closeAllConnections()
      srv.close()
      nock.disableNetConnect()
    }
  }, 10_000)

  it('keeps association ids beyond 2^53 exact (HubSpot sends them as JSON numbers)', async () => {
    nock(BASE)
      .post('/crm/v4/associations/contacts/deals/batch/read')
      .reply(200, '{"status":"COMPLETE","results":[{"from":{"id":"1"},"to":[{"toObjectId":9007199254740993,"associationTypes":[]},{"toObjectId":42,"associationTypes":[]}]}]}', {
        'content-type': 'application/json',
      })
    const {c} = client()
    const res = await c.request<{results: Array<{to: Array<{toObjectId: unknown}>}>}>({method: 'POST', path: PATHS.associationsBatchRead('contacts', 'deals'), body: {inputs: [{id: '1'}]}})
    expect(res.body.results[0].to.map((t) => String(t.toObjectId))).toEqual(['9007199254740993', '42'])
    expect(normalizeAssociationIds('{"id": 12345678901234567890}')).toBe('{"id": "12345678901234567890"}')
    expect(normalizeAssociationIds('{"name":"id: 12345678901234567890"}')).toBe('{"name":"id: 12345678901234567890"}')
    // short quoted ids become exact numbers (no V8-internalized string per id); long ones stay strings
    expect(normalizeAssociationIds('{"from":{"id":"901"},"to":[{"toObjectId":"123456789012345"},{"toObjectId":"1234567890123456"}]}')).toBe(
      '{"from":{"id":901},"to":[{"toObjectId":123456789012345},{"toObjectId":"1234567890123456"}]}',
    )
    expect(normalizeAssociationIds('{"label":"id","x":"5","id":"007"}')).toBe('{"label":"id","x":"5","id":"007"}')
  })
})
