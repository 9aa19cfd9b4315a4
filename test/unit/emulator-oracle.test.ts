/**
 * The emulator is an independent oracle: it keeps HubSpot's limits as its own literals
 * (src/emulator/hubspot-limits.ts), so the client breaking one of them fails here. Also the two
 * client rules no other test pinned: every property chunk of a wide record arrives, and the newest
 * duplicate of a record in one page wins.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {objectStream} from '../../src/connectors/hubspot/connector.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {chunkProperties} from '../../src/connectors/hubspot/object-api.js'
import {LIMITS, PATHS} from '../../src/connectors/hubspot/objects.js'
import {processPage} from '../../src/core/object-page.js'
import type {CrmRecord, PropertyDefinition} from '../../src/core/records.js'
import {HUBSPOT_LIMITS} from '../../src/emulator/hubspot-limits.js'
import {startEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {memoryPortal} from '../../src/emulator/memory-portal.js'

const TOKEN = 'oracle-token'
const ROOT = join(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

describe('the emulator is independent of the client', () => {
  it('imports nothing from src/connectors', () => {
    const offenders = sourceFiles(join(ROOT, 'src/emulator')).filter((f) => /from\s+'[^']*\/connectors\//.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })

  it('no client limit exceeds HubSpot’s limit as the emulator knows it', () => {
    const oracle: Record<string, number> = HUBSPOT_LIMITS
    for (const [name, value] of Object.entries(LIMITS)) {
      expect(oracle[name], `the emulator has no literal for LIMITS.${name}`).toBeTypeOf('number')
      expect(value, `LIMITS.${name}`).toBeLessThanOrEqual(oracle[name])
    }
  })

  it('HubSpot’s search filter limits are 5 groups, 6 filters per group, 18 in all', () => {
    expect([HUBSPOT_LIMITS.searchMaxFilterGroups, HUBSPOT_LIMITS.searchMaxFiltersPerGroup, HUBSPOT_LIMITS.searchMaxFiltersTotal]).toEqual([5, 6, 18])
  })
})

// 700 properties of ~40 characters: about 30,000 characters of names, 4+ chunks below the URL limit
const WIDE = Array.from({length: 700}, (_, i) => `custom_property_with_a_long_name_${String(i).padStart(4, '0')}`)
const T0 = Date.parse('2025-01-01T00:00:00.000Z')

function wideContact(n: number): CrmRecord {
  const id = String(n)
  const properties: Record<string, string | null> = {hs_object_id: id, lastmodifieddate: new Date(T0 + n * 1000).toISOString(), createdate: new Date(T0).toISOString()}
  for (const p of WIDE) properties[p] = `${p}=${n}`
  return {id, properties, createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0 + n * 1000).toISOString(), archived: false}
}

let emu: RunningEmulator
let client: HubSpotHttpClient

beforeAll(async () => {
  const defs: PropertyDefinition[] = WIDE.map((name) => ({name, label: name, type: 'string', fieldType: 'text'}))
  const records = Array.from({length: 150}, (_, i) => wideContact(i + 1))
  emu = await startEmulator({portal: memoryPortal({objects: [{name: 'contacts', objectTypeId: '0-1', properties: defs, records}]}), token: TOKEN, rateLimit: 'none'})
  client = new HubSpotHttpClient({baseUrl: emu.url, accessToken: TOKEN})
})

afterAll(async () => {
  await emu?.stop()
})

const properties = ['hs_object_id', 'lastmodifieddate', ...WIDE]
const contacts = () => objectStream(client, 'contacts', '0-1', 'lastmodifieddate', properties)

describe('the client keeps HubSpot’s limits (the emulator answers 400 past them)', () => {
  it('reads a full list page at the stream’s maximum page size', async () => {
    const def = contacts()
    const page = await def.api.listPage({after: null, limit: def.maxListPage, archived: false, properties: ['hs_object_id']})
    expect(page.results).toHaveLength(def.maxListPage)
  })

  it('reads a search page at the stream’s maximum search page size', async () => {
    const def = contacts()
    const page = await def.api.searchPage({from: {ts: 0, id: null}, limit: def.maxSearchPage, properties: ['hs_object_id']})
    expect(page.results).toHaveLength(150)
  })
})

describe('wide records: every property chunk arrives', () => {
  it('merges all chunks (first through the list URL, the rest through batch read) into every record', async () => {
    expect(chunkProperties(properties, 'http://127.0.0.1:65535', PATHS.list('0-1')).length).toBeGreaterThanOrEqual(3)
    const def = contacts()
    const page = await def.api.listPage({after: null, limit: 100, archived: false, properties})
    expect(page.results).toHaveLength(100)
    for (const raw of page.results) {
      const r = raw as {id: string; properties: Record<string, unknown>}
      const missing = WIDE.filter((p) => r.properties[p] !== `${p}=${r.id}`)
      expect(missing, `record ${r.id}`).toEqual([])
    }
  })
})

describe('one page with the same record twice', () => {
  const raw = (updatedAt: string, email: string) => ({id: '7', properties: {hs_object_id: '7', email, lastmodifieddate: updatedAt}, createdAt: '2025-01-01T00:00:00.000Z', updatedAt, archived: false})
  const older = raw('2025-01-02T00:00:00.000Z', 'old@example.com')
  const newer = raw('2025-01-03T00:00:00.000Z', 'new@example.com')

  it.each([
    ['older first', [older, newer]],
    ['newer first', [newer, older]],
  ])('keeps the newest updatedAt (%s)', (_name, results) => {
    const {records} = processPage(contacts(), {results, after: null}, 100)
    expect(records).toHaveLength(1)
    expect(records[0].properties.email).toBe('new@example.com')
    expect(records[0].updatedAt).toBe('2025-01-03T00:00:00.000Z')
  })
})
