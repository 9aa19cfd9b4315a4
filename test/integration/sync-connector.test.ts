import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readAssociations} from '../../src/connectors/hubspot/association-reader.js'
import {objectStream} from '../../src/connectors/hubspot/connector.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {chunkProperties, searchBody} from '../../src/connectors/hubspot/object-api.js'
import {LIMITS, PATHS} from '../../src/connectors/hubspot/objects.js'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, makePortal, TOKEN} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let client: HubSpotHttpClient

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 30, deals: 10, appointments: 6, divisions: 2, sharedTimestamp: 5, seed: 66}), {associationPageSize: 1})
  client = new HubSpotHttpClient({baseUrl: emu.url, accessToken: TOKEN})
})
afterAll(async () => {
  await emu?.stop()
})

describe('HubSpot connector against the emulator', () => {
  it('chunks a long property list below the URL limit and merges the chunks by id (no 414)', async () => {
    const many = Array.from({length: 600}, (_, i) => `custom_property_with_a_long_name_${i}`)
    const properties = ['email', 'firstname', ...many, 'lastmodifieddate']
    expect(chunkProperties(properties, emu.url, PATHS.list('0-1')).length).toBeGreaterThan(1)
    const stream = objectStream(client, 'contacts', '0-1', 'lastmodifieddate', properties)
    const page = await stream.api.listPage({after: null, limit: 10, archived: false, properties}, undefined)
    expect(page.results).toHaveLength(10)
    for (const r of page.results as Array<{properties: Record<string, unknown>}>) {
      expect(r.properties).toHaveProperty('email')
      expect(r.properties).toHaveProperty('lastmodifieddate')
    }
    expect(emu.stats.byEndpoint.batchRead).toBeGreaterThan(0)
  })

  it('reads every association of a record through per-record paging (page size 1)', async () => {
    const ids = emu.store.db
      .prepare('SELECT fid FROM assoc WHERE fe = ? AND te = ? GROUP BY fid HAVING COUNT(*) >= 1')
      .pluck()
      .all(emu.store.registry.find('contacts')!.index, emu.store.registry.find('deals')!.index) as string[]
    expect(ids.length).toBeGreaterThan(0)
    const most = emu.store.db
      .prepare('SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM assoc WHERE fe = ? AND te = ? GROUP BY fid)')
      .pluck()
      .get(emu.store.registry.find('contacts')!.index, emu.store.registry.find('deals')!.index) as number
    expect(most).toBeGreaterThanOrEqual(2)
    const rows = await readAssociations(client, {fromType: '0-1', toType: '0-3', fromEntity: 'contacts', toEntity: 'deals'}, ids)
    const want = emu.store.db.prepare('SELECT COUNT(*) FROM assoc WHERE fe = ? AND te = ?').pluck().get(emu.store.registry.find('contacts')!.index, emu.store.registry.find('deals')!.index) as number
    expect(rows).toHaveLength(want)
    expect(rows.every((r) => r.types.length > 0)).toBe(true)
  })

  it('builds keyset search bodies within HubSpot filter limits', () => {
    const start = searchBody('hs_lastmodifieddate', {ts: 5, id: null}, 200, ['a'])
    expect(start.filterGroups).toEqual([{filters: [{propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '5'}]}])
    const next = searchBody('hs_lastmodifieddate', {ts: 5, id: '99'}, 200, ['a']) as {filterGroups: Array<{filters: unknown[]}>; sorts: unknown[]}
    expect(next.filterGroups.length).toBeLessThanOrEqual(LIMITS.searchMaxFilterGroups)
    expect(next.filterGroups.flatMap((g) => g.filters)).toHaveLength(3)
    expect(next.sorts).toHaveLength(2)
  })
})
