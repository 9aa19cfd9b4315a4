import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {defaultConfigPath, resolveConnection} from '../../src/connectors/hubspot/config.js'
import {DEFAULT_BASE_URL} from '../../src/connectors/hubspot/objects.js'
import {ScopeError, mapErrorResponse, scopesForPath} from '../../src/connectors/hubspot/api-errors.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'

const home = () => mkdtempSync(join(tmpdir(), 'crmsync-cfg-'))

describe('resolveConnection', () => {
  it('takes the token from HUBSPOT_ACCESS_TOKEN and the default base URL', () => {
    const c = resolveConnection({env: {HUBSPOT_ACCESS_TOKEN: 'tok'}, home: home()})
    expect(c).toMatchObject({accessToken: 'tok', baseUrl: DEFAULT_BASE_URL, baseUrlSource: 'default', tokenSource: 'env'})
  })

  it('reads the default config file, then CRMSYNC_CONFIG, then --config', () => {
    const h = home()
    mkdirSync(join(h, '.config', 'crmsync'), {recursive: true})
    writeFileSync(defaultConfigPath(h), JSON.stringify({accessToken: 'from-home', baseUrl: 'http://127.0.0.1:9/'}))
    expect(resolveConnection({env: {}, home: h})).toMatchObject({accessToken: 'from-home', baseUrl: 'http://127.0.0.1:9', baseUrlSource: 'config', tokenSource: 'config'})
    const other = join(h, 'other.json')
    writeFileSync(other, JSON.stringify({accessToken: 'from-env-file'}))
    expect(resolveConnection({env: {CRMSYNC_CONFIG: other}, home: h}).accessToken).toBe('from-env-file')
    const flag = join(h, 'flag.json')
    writeFileSync(flag, JSON.stringify({accessToken: 'from-flag-file'}))
    expect(resolveConnection({config: flag, env: {CRMSYNC_CONFIG: other}, home: h}).accessToken).toBe('from-flag-file')
    // the environment token wins over any file
    expect(resolveConnection({config: flag, env: {HUBSPOT_ACCESS_TOKEN: 'env-tok'}, home: h}).accessToken).toBe('env-tok')
  })

  it('orders base URL sources: flag, HUBSPOT_BASE_URL, config, default', () => {
    const h = home()
    const f = join(h, 'c.json')
    writeFileSync(f, JSON.stringify({accessToken: 't', baseUrl: 'http://config:1'}))
    expect(resolveConnection({config: f, env: {}, home: h}).baseUrl).toBe('http://config:1')
    expect(resolveConnection({config: f, env: {HUBSPOT_BASE_URL: 'http://env:2'}, home: h}).baseUrl).toBe('http://env:2')
    expect(resolveConnection({config: f, baseUrl: 'http://flag:3/', env: {HUBSPOT_BASE_URL: 'http://env:2'}, home: h})).toMatchObject({baseUrl: 'http://flag:3', baseUrlSource: 'flag'})
  })

  it('fails with a usage error (exit 2) naming both ways to set a missing token', () => {
    const e = (() => {
      try {
        resolveConnection({env: {HUBSPOT_ACCESS_TOKEN: '  '}, home: home()})
      } catch (err) {
        return err
      }
    })()
    expect(e).toBeInstanceOf(UsageError)
    expect((e as UsageError).exitCode).toBe(2)
    expect((e as UsageError).options.suggestion).toMatch(/HUBSPOT_ACCESS_TOKEN/)
    expect((e as UsageError).options.suggestion).toMatch(/config\.json|--config/)
  })

  it('rejects a missing named config file, invalid JSON, wrong types and bad URLs', () => {
    const h = home()
    expect(() => resolveConnection({config: join(h, 'nope.json'), env: {HUBSPOT_ACCESS_TOKEN: 't'}})).toThrow(/cannot read config file/)
    const bad = join(h, 'bad.json')
    writeFileSync(bad, '{"accessToken": ')
    expect(() => resolveConnection({config: bad, env: {}})).toThrow(/not valid JSON/)
    writeFileSync(bad, '{"accessToken": 42}')
    expect(() => resolveConnection({config: bad, env: {}})).toThrow(/must be a string/)
    expect(() => resolveConnection({baseUrl: 'not a url', env: {HUBSPOT_ACCESS_TOKEN: 't'}, home: h})).toThrow(UsageError)
    expect(() => resolveConnection({baseUrl: 'ftp://x', env: {HUBSPOT_ACCESS_TOKEN: 't'}, home: h})).toThrow(/http or https/)
    expect(() => resolveConnection({baseUrl: 'http://u:p@host', env: {HUBSPOT_ACCESS_TOKEN: 't'}, home: h})).toThrow(/credentials/)
  })
})

describe('error mapping', () => {
  it('names the scope a 403 needs from the path when the body does not', () => {
    expect(scopesForPath('/crm/v3/objects/contacts')).toEqual(['crm.objects.contacts.read'])
    expect(scopesForPath('/crm/v3/objects/0-421/search')).toEqual(['crm.objects.appointments.read'])
    expect(scopesForPath('/crm/v3/objects/2-123')).toEqual(['crm.objects.custom.read'])
    expect(scopesForPath('/crm/v3/properties/deals')).toEqual(['crm.schemas.deals.read'])
    expect(scopesForPath('/crm/v4/associations/contacts/deals/batch/read')).toEqual(['crm.objects.contacts.read', 'crm.objects.deals.read'])
    const e = mapErrorResponse(403, {message: 'nope'}, '/crm/v3/objects/deals')
    expect(e).toBeInstanceOf(ScopeError)
    expect(e.message).toMatch(/crm\.objects\.deals\.read/)
  })

  it('scrubs secrets from HubSpot messages and keeps category and correlation id', () => {
    const e = mapErrorResponse(400, {message: 'bad token SECRET in query', category: 'VALIDATION_ERROR', correlationId: 'abc'}, '/x', (s) => s.replace('SECRET', '[redacted]'))
    expect(e.message).not.toContain('SECRET')
    expect(e.message).toMatch(/400 VALIDATION_ERROR.*abc/)
    expect(mapErrorResponse(414, undefined, '/x').options.suggestion).toMatch(/fewer properties/)
  })
})

describe('--api-version: every path built for the chosen version', () => {
  it('maps each numeric path to its dated form, keeps schemas numeric, and leaves v3 alone', async () => {
    const {PATHS, versionedPath, parseApiVersion, DEFAULT_API_VERSION} = await import('../../src/connectors/hubspot/objects.js')
    expect(DEFAULT_API_VERSION).toBe('2026-03')
    const dated = (p: string) => versionedPath(p, '2026-03')
    expect(dated(PATHS.list('0-1'))).toBe('/crm/objects/2026-03/0-1')
    expect(dated(PATHS.get('0-3', '7'))).toBe('/crm/objects/2026-03/0-3/7')
    expect(dated(PATHS.search('0-421'))).toBe('/crm/objects/2026-03/0-421/search')
    expect(dated(PATHS.batchRead('2-9'))).toBe('/crm/objects/2026-03/2-9/batch/read')
    expect(dated(PATHS.associationsBatchRead('0-1', '0-3'))).toBe('/crm/associations/2026-03/0-1/0-3/batch/read')
    expect(dated(PATHS.properties('0-1'))).toBe('/crm/properties/2026-03/0-1')
    expect(dated(PATHS.schemas())).toBe('/crm/v3/schemas')
    for (const p of [PATHS.list('0-1'), PATHS.associationsBatchRead('0-1', '0-3'), PATHS.properties('0-1')]) expect(versionedPath(p, 'v3')).toBe(p)
    expect(parseApiVersion(undefined)).toBe('2026-03')
    expect(parseApiVersion(' V3 ')).toBe('v3')
    expect(() => parseApiVersion('2025-09')).toThrow(/"2025-09" is not an API version crmsync speaks/)
    const c = new HubSpotHttpClient({baseUrl: 'http://127.0.0.1:1', accessToken: 't', apiVersion: '2026-03'})
    expect(c.url({path: PATHS.list('0-1'), query: {limit: 1}})).toBe('http://127.0.0.1:1/crm/objects/2026-03/0-1?limit=1')
  })
})
