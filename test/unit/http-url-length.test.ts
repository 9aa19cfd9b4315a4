import {describe, expect, it} from 'vitest'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {DEFAULT_BASE_URL, LIMITS, PATHS} from '../../src/connectors/hubspot/objects.js'
import {chunkProperties} from '../../src/connectors/hubspot/object-api.js'
import {parseEntities, parseRateLimit} from '../../src/portal/recorder-command.js'

describe('property chunking for list URLs', () => {
  it('keeps every list URL under LIMITS.maxUrlLength and loses no property', () => {
    const base = DEFAULT_BASE_URL
    const names = Array.from({length: 1500}, (_, i) => `custom_property_with_a_long_name_${String(i).padStart(5, '0')}`)
    const chunks = chunkProperties(names, base, PATHS.list('0-1'))
    expect(chunks.length).toBeGreaterThan(5)
    expect(chunks.flat()).toEqual(names)
    const c = new HubSpotHttpClient({baseUrl: base, accessToken: 't'})
    for (const ch of chunks) {
      const url = c.url({path: PATHS.list('0-1'), query: {limit: 100, after: '18446744073709551615', archived: true, properties: ch.join(',')}})
      expect(url.length).toBeLessThanOrEqual(LIMITS.maxUrlLength)
    }
  })

  it('gives one chunk (possibly empty) for short lists', () => {
    expect(chunkProperties([], 'http://x', '/p')).toEqual([[]])
    expect(chunkProperties(['a', 'b'], 'http://x', '/p')).toEqual([['a', 'b']])
  })
})

describe('record command flag parsing', () => {
  it('parses --entities and --rate-limit, rejecting bad values with usage errors', () => {
    expect(parseEntities(undefined)).toEqual(['contacts', 'deals', 'appointments', 'divisions'])
    expect(parseEntities('divisions, contacts')).toEqual(['contacts', 'divisions'])
    expect(() => parseEntities('companies')).toThrow(/companies/)
    expect(parseRateLimit('100/10s')).toEqual({max: 100, intervalMs: 10_000, unlimited: false})
    expect(parseRateLimit('4/s')).toEqual({max: 4, intervalMs: 1000, unlimited: false})
    expect(parseRateLimit('10/m')).toEqual({max: 10, intervalMs: 60_000, unlimited: false})
    expect(parseRateLimit('none')?.unlimited).toBe(true)
    expect(parseRateLimit(undefined)).toBeUndefined()
    expect(() => parseRateLimit('0/10s')).toThrow(/COUNT\/INTERVAL/)
  })
})

describe('budget selection', () => {
  it('uses the in-process budget by default and a Redis budget keyed by a hash of the portal when a URL is given', async () => {
    const {selectBudget, portalBudgetKey} = await import('../../src/core/budget-select.js')
    const {InProcessBudget} = await import('../../src/core/budget.js')
    const {RedisBudget} = await import('../../src/core/budget-redis.js')
    expect(selectBudget({baseUrl: 'http://x', accessToken: 't', max: 190, intervalMs: 10_000})).toBeInstanceOf(InProcessBudget)
    const key = portalBudgetKey('http://x', 'pat-secret')
    expect(key).toMatch(/^[0-9a-f]{24}$/)
    expect(key).not.toContain('pat-secret')
    expect(portalBudgetKey('http://x', 'pat-secret')).toBe(key)
    // a closed port: construction does not connect synchronously, close() ends it
    const r = selectBudget({redisUrl: 'redis://127.0.0.1:1', baseUrl: 'http://x', accessToken: 't'})
    expect(r).toBeInstanceOf(RedisBudget)
    await r.close?.().catch(() => undefined)
    expect(() => selectBudget({redisUrl: 'http://127.0.0.1:6379', baseUrl: 'http://x', accessToken: 't'})).toThrow(/not supported/)
    expect(() => selectBudget({redisUrl: 'nope', baseUrl: 'http://x', accessToken: 't'})).toThrow(/not a Redis URL/)
  })
})
