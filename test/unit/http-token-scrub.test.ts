/**
 * An upstream or proxy that echoes the token in an error answer: the correlationId, the missing-scope
 * list, the category and a redirect Location never carry it into an error (issue 11, item 7).
 */
import nock from 'nock'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {FakeClock} from '../../src/core/budget-clock.js'
import {InProcessBudget} from '../../src/core/budget.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'

const P = Promise as unknown as {withResolvers?: () => unknown}
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void
  let reject!: (e: unknown) => void
  const promise = new Promise((a, b) => ((resolve = a), (reject = b)))
  return {promise, resolve, reject}
}

const BASE = 'http://hubspot-scrub.test'
const TOKEN = 'pat-na1-SECRET-ECHO-42'

beforeAll(() => nock.disableNetConnect())
afterAll(() => nock.enableNetConnect())
afterEach(() => nock.cleanAll())

function client(token = TOKEN): HubSpotHttpClient {
  const clock = new FakeClock(Date.UTC(2026, 0, 1))
  return new HubSpotHttpClient({baseUrl: BASE, accessToken: token, clock, budget: new InProcessBudget({clock}), retry: {maxAttempts: 1}})
}

/** Everything an error shows: message, suggestion, fields (correlationId, scopes...), as JSON. */
const everything = (e: unknown): string => JSON.stringify({m: (e as Error).message, ...(e as object), o: (e as {options?: unknown}).options})

describe('token scrubbing of error answers', () => {
  it('scrubs the correlationId and category of a 400', async () => {
    nock(BASE)
      .get('/x')
      .reply(400, {status: 'error', message: 'bad', category: `VALIDATION ${TOKEN}`, correlationId: `corr-${TOKEN}`})
    const err = await client()
      .request({method: 'GET', path: '/x'})
      .catch((e: unknown) => e)
    expect(everything(err)).toContain('corr-[redacted]')
    expect(everything(err)).not.toContain(TOKEN)
  })

  it('scrubs the missing-scope list and correlationId of a 403', async () => {
    nock(BASE)
      .get('/y')
      .reply(403, {status: 'error', message: 'no', correlationId: TOKEN, errors: [{context: {requiredGranularScopes: [`crm.objects.contacts.read ${TOKEN}`]}}]})
    const err = await client()
      .request({method: 'GET', path: '/y'})
      .catch((e: unknown) => e)
    expect((err as Error).name).toBe('ScopeError')
    expect(everything(err)).not.toContain(TOKEN)
  })

  it('scrubs a redirect Location', async () => {
    nock(BASE)
      .get('/z')
      .reply(302, '', {location: `http://proxy.test/login?token=${TOKEN}`})
    const err = await client()
      .request({method: 'GET', path: '/z'})
      .catch((e: unknown) => e)
    expect((err as Error).message).toContain('token=[redacted]')
    expect(everything(err)).not.toContain(TOKEN)
  })

  it('scrubs the JSON-escaped form of a token holding a quote or backslash', async () => {
    const odd = 'pat-na1-q"b\\s-77'
    nock(BASE)
      .get('/w')
      .reply(400, JSON.stringify({message: `echo ${odd}`, correlationId: odd}), {'content-type': 'application/json'})
    const err = await client(odd)
      .request({method: 'GET', path: '/w'})
      .catch((e: unknown) => e)
    expect(everything(err)).not.toContain(JSON.stringify(odd).slice(1, -1))
    expect((err as Error).message).not.toContain(odd)
  })
})
