import {cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {ScopeError} from '../../src/connectors/hubspot/api-errors.js'
import type {ApiClient, ApiRequest, ApiResponse} from '../../src/core/http-types.js'
import {InProcessBudget} from '../../src/core/budget.js'
import {type RunningEmulator, startEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'
import {recordPortal} from '../../src/portal/recorder.js'
import {openPortal, type PortalReader} from '../../src/portal/snapshot.js'

const TOKEN = 'pat-test-roundtrip-0123456789'
let root: string
let portalDir: string
let emu: RunningEmulator

function client(): HubSpotHttpClient {
  return new HubSpotHttpClient({baseUrl: emu.url, accessToken: TOKEN, budget: new InProcessBudget({max: 100_000, intervalMs: 1000, searchMax: 1000}), retry: {baseDelayMs: 1, maxDelayMs: 5}})
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
}

/** P and R hold the same object types, properties, schemas, records, associations and association types. */
async function expectSamePortal(p: PortalReader, r: PortalReader): Promise<void> {
  const strip = (m: PortalReader['manifest']) => m.objects.map(({file: _f, ...o}) => o)
  expect(strip(r.manifest)).toEqual(strip(p.manifest))
  expect(r.manifest.portalId).toBe(p.manifest.portalId)
  expect(r.manifest.associationTypes).toEqual(p.manifest.associationTypes)
  for (const o of p.manifest.objects) expect(await collect(r.records(o.name))).toEqual(await collect(p.records(o.name)))
  expect(await collect(r.associations())).toEqual(await collect(p.associations()))
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'crmsync-record-'))
  portalDir = join(root, 'portal')
  await generatePortal({out: portalDir, contacts: 200, deals: 130, appointments: 40, divisions: 4, seed: 11, customProperties: 40})
  // small association pages so that per-record paging is exercised
  emu = await startEmulator({portalDir, token: TOKEN, associationPageSize: 40, rateLimit: 'none'})
})

afterAll(async () => {
  await emu?.stop()
  rmSync(root, {recursive: true, force: true})
})

/** List pages that come back empty (an object with no archived records still asks once): they need no batch read. */
function emptyArchivedLists(p: Awaited<ReturnType<typeof openPortal>>): number {
  return p.manifest.objects.filter((o) => o.archivedCount === 0).length
}

describe('portal record round trip against the emulator', () => {
  it('record(serve(P)) equals P: records, archived records, properties, schemas, associations', async () => {
    const out = join(root, 'rec')
    const api = client()
    const listsBefore = emu.stats.byEndpoint.list
    const batchBefore = emu.stats.byEndpoint.batchRead
    // a short URL limit forces the property list into several chunks: the first through the list
    // page, the rest through batch read, merged by id (the connector's object API, as the sync reads)
    const res = await recordPortal({out, api, baseUrl: emu.url, maxUrlLength: 500})
    expect(res.resumed).toBe(false)
    const pages = (await openPortal(portalDir)).manifest.objects.reduce((n, o) => n + Math.ceil((o.count - o.archivedCount) / 100) + Math.max(1, Math.ceil(o.archivedCount / 100)), 0)
    expect(emu.stats.byEndpoint.list - listsBefore).toBe(pages)
    expect(emu.stats.byEndpoint.batchRead - batchBefore).toBeGreaterThanOrEqual(pages - emptyArchivedLists(await openPortal(portalDir)))
    const p = await openPortal(portalDir)
    const r = await openPortal(out)
    expect(p.manifest.objects.some((o) => o.archivedCount > 0)).toBe(true)
    expect(p.manifest.objects[0].properties.length).toBeGreaterThan(40)
    await expectSamePortal(p, r)
    expect(r.manifest.source).toMatchObject({kind: 'record', baseUrl: emu.url})
    for (const f of walk(out)) expect(readFileSync(f, 'utf8')).not.toContain(TOKEN)
    expect(readdirSync(root)).not.toContain('rec.record-work')
  })

  it('--redact leaves no original email or phone anywhere and keeps joins (same input, same fake)', async () => {
    const out = join(root, 'redacted')
    await recordPortal({out, api: client(), baseUrl: emu.url, redact: ['email', 'phone', 'firstname', 'lastname'], redactSalt: 's1'})
    const p = await openPortal(portalDir)
    const originals = new Set<string>()
    for await (const c of p.records('contacts'))
      for (const k of ['email', 'phone']) {
        const v = c.properties[k]
        if (v && v.trim().length >= 5) originals.add(v)
      }
    expect(originals.size).toBeGreaterThan(100)
    const text = walk(out)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    for (const o of originals) expect(text.includes(o), `original value ${o} leaked`).toBe(false)
    const r = await openPortal(out)
    const fakes = await collect(r.records('contacts'))
    expect(fakes.filter((c) => c.properties.email).every((c) => /^[^@\s]+@example\.com(;|$)/.test(c.properties.email!))).toBe(true)
    // same original → same fake; different originals → (almost always) different fakes
    const origById = new Map((await collect(p.records('contacts'))).map((c) => [c.id, c.properties.email]))
    const fakeByOrig = new Map<string, string>()
    for (const c of fakes) {
      const o = origById.get(c.id)
      if (!o || !c.properties.email) continue
      const key = o.trim().toLowerCase()
      if (fakeByOrig.has(key)) expect(c.properties.email).toBe(fakeByOrig.get(key))
      fakeByOrig.set(key, c.properties.email)
    }
    // a second recording with the same salt gives byte-identical record files
    const again = join(root, 'redacted2')
    await recordPortal({out: again, api: client(), baseUrl: emu.url, redact: ['email', 'phone', 'firstname', 'lastname'], redactSalt: 's1', entities: ['contacts']})
    expect(readFileSync(join(again, 'contacts.ndjson'), 'utf8')).toBe(readFileSync(join(out, 'contacts.ndjson'), 'utf8'))
  })

  it('an interrupted recording resumes from its work folder and gives the same snapshot', async () => {
    const out = join(root, 'resumed')
    const inner = client()
    let calls = 0
    const ac = new AbortController()
    const flaky: ApiClient = {
      stats: inner.stats,
      request<T>(req: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
        if (++calls === 25) ac.abort(new Error('interrupted'))
        return inner.request<T>(req, signal)
      },
    }
    await expect(recordPortal({out, api: flaky, baseUrl: emu.url, signal: ac.signal})).rejects.toThrow(/interrupted|abort/i)
    expect(readdirSync(root)).toContain('resumed.record-work')
    expect(readdirSync(root)).not.toContain('resumed')
    const before = inner.stats.requests
    const res = await recordPortal({out, api: inner, baseUrl: emu.url})
    expect(res.resumed).toBe(true)
    await expectSamePortal(await openPortal(portalDir), await openPortal(out))
    // the rerun did not start from scratch: it needed fewer requests than a full recording
    const full = client()
    await recordPortal({out: join(root, 'full'), api: full, baseUrl: emu.url})
    expect(inner.stats.requests - before).toBeLessThan(full.stats.requests)
    // resuming with other options is refused
    const other = join(root, 'other')
    const ac2 = new AbortController()
    let n2 = 0
    const stopper: ApiClient = {stats: inner.stats, request: (req, signal) => (++n2 === 8 && ac2.abort(new Error('stop')), inner.request(req, signal))}
    await expect(recordPortal({out: other, api: stopper, baseUrl: emu.url, signal: ac2.signal})).rejects.toThrow()
    await expect(recordPortal({out: other, api: inner, baseUrl: emu.url, entities: ['contacts']})).rejects.toThrow(/different options/)
  })

  it('survives 429 bursts (with and without Retry-After), 5xx, connection resets and malformed bodies: same snapshot', async () => {
    const faulty = await startEmulator({
      portalDir,
      token: TOKEN,
      associationPageSize: 40,
      rateLimit: 'none',
      faults: '429-burst:every=23,count=2,retry-after=0;429-burst:every=41,retry-after=off;5xx:every=13;reset:every=17;malformed:every=19',
    })
    try {
      const api = new HubSpotHttpClient({
        baseUrl: faulty.url,
        accessToken: TOKEN,
        budget: new InProcessBudget({max: 100_000, intervalMs: 1000}),
        retry: {baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 8},
      })
      const out = join(root, 'faulty')
      const res = await recordPortal({out, api, baseUrl: faulty.url, gzip: true})
      expect(readdirSync(out)).toContain('contacts.ndjson.gz')
      expect(res.objects.length).toBe(4)
      expect(api.stats.rateLimited).toBeGreaterThan(0)
      expect(api.stats.serverErrors).toBeGreaterThan(0)
      expect(api.stats.networkErrors).toBeGreaterThan(0)
      await expectSamePortal(await openPortal(portalDir), await openPortal(out))
    } finally {
      await faulty.stop()
    }
  })

  it('a recording cut by a fault (retries exhausted) resumes on rerun and gives the same snapshot', async () => {
    const faulty = await startEmulator({portalDir, token: TOKEN, associationPageSize: 40, rateLimit: 'none', faults: 'reset:every=30,max=1'})
    try {
      const api = new HubSpotHttpClient({baseUrl: faulty.url, accessToken: TOKEN, budget: new InProcessBudget({max: 100_000, intervalMs: 1000}), retry: {maxAttempts: 1}})
      const out = join(root, 'cut')
      await expect(recordPortal({out, api, baseUrl: faulty.url})).rejects.toThrow(/gave up after 1 attempts/)
      expect(readdirSync(root)).toContain('cut.record-work')
      const res = await recordPortal({out, api, baseUrl: faulty.url})
      expect(res.resumed).toBe(true)
      await expectSamePortal(await openPortal(portalDir), await openPortal(out))
    } finally {
      await faulty.stop()
    }
  })

  it('stops with ScopeError naming the missing scope when the token cannot read an object, writing nothing', async () => {
    const denied = await startEmulator({portalDir, token: TOKEN, deniedScopes: ['appointments'], rateLimit: 'none'})
    try {
      const api = new HubSpotHttpClient({baseUrl: denied.url, accessToken: TOKEN})
      const err = await recordPortal({out: join(root, 'denied'), api, baseUrl: denied.url}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ScopeError)
      expect((err as ScopeError).scopes).toEqual(['crm.objects.appointments.read'])
      expect((err as ScopeError).options.suggestion).toMatch(/Private Apps/)
      expect(readdirSync(root).filter((f) => f.startsWith('denied'))).toEqual([])
      // leaving appointments out works
      const res = await recordPortal({out: join(root, 'denied'), api, baseUrl: denied.url, entities: ['contacts', 'deals', 'divisions']})
      expect(res.objects.map((o) => o.name)).toEqual(['contacts', 'deals', 'divisions'])
    } finally {
      await denied.stop()
    }
  })

  it('records a type from the labels endpoint that no edge carries, with its label and inverse', async () => {
    // the portal defines a paired user label (contacts→deals 77 "Unused label" / deals→contacts 78
    // "Unused inverse") that no association uses: edges cannot show it, the labels endpoint does
    const dir = join(root, 'unused-label-portal')
    cpSync(portalDir, dir, {recursive: true})
    const manifestFile = join(dir, 'manifest.json')
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {associationTypes: Array<Record<string, unknown>>}
    manifest.associationTypes.push(
      {fromType: 'contacts', toType: 'deals', category: 'USER_DEFINED', typeId: 77, label: 'Unused label', inverseTypeId: 78},
      {fromType: 'deals', toType: 'contacts', category: 'USER_DEFINED', typeId: 78, label: 'Unused inverse', inverseTypeId: 77},
    )
    writeFileSync(manifestFile, JSON.stringify(manifest))
    const served = await startEmulator({portalDir: dir, token: TOKEN, rateLimit: 'none'})
    try {
      const out = join(root, 'unused-label-rec')
      const api = new HubSpotHttpClient({
        baseUrl: served.url,
        accessToken: TOKEN,
        budget: new InProcessBudget({max: 100_000, intervalMs: 1000, searchMax: 1000}),
        retry: {baseDelayMs: 1, maxDelayMs: 5},
      })
      await recordPortal({out, api, baseUrl: served.url})
      expect(served.stats.byEndpoint.labels).toBeGreaterThanOrEqual(2)
      const r = await openPortal(out)
      expect(r.manifest.associationTypes).toContainEqual({fromType: 'contacts', toType: 'deals', category: 'USER_DEFINED', typeId: 77, label: 'Unused label', inverseTypeId: 78})
      expect(r.manifest.associationTypes).toContainEqual({fromType: 'deals', toType: 'contacts', category: 'USER_DEFINED', typeId: 78, label: 'Unused inverse', inverseTypeId: 77})
      const p = await openPortal(dir)
      const key = (t: {fromType: string; toType: string; typeId: number}) => `${t.fromType}>${t.toType}:${String(t.typeId).padStart(6, '0')}`
      const sorted = (l: typeof p.manifest.associationTypes) => [...l].sort((a, b) => (key(a) < key(b) ? -1 : 1))
      expect(sorted(r.manifest.associationTypes)).toEqual(sorted(p.manifest.associationTypes))
    } finally {
      await served.stop()
    }
  })
})
