/**
 * The emulator as HubSpot really is (issue 13 item 1): official default association type ids,
 * the labels endpoint, numeric toObjectId (exact beyond 2^53 in crmsync's client), owners,
 * pipelines, companies and tickets, custom objects by every name, `associations=` on list/get.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readAssociations} from '../../src/connectors/hubspot/association-reader.js'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {DEFAULT_ASSOCIATION_TYPE_IDS} from '../../src/emulator/hubspot-limits.js'
import {createEmulator, startEmulator, type InProcessEmulator} from '../../src/emulator/index.js'
import {memoryPortal} from '../../src/emulator/memory-portal.js'
import {defaultAssociationTypes} from '../../src/portal/association-types.js'
import {generatePortal} from '../../src/portal/generator.js'
import {BIG_ID, call, contact, emulator, TOKEN} from './emulator-fixture.js'

let emu: InProcessEmulator
beforeAll(async () => {
  emu = await emulator()
})
afterAll(() => emu.close())

describe('default association type ids', () => {
  it('the generator uses HubSpot’s official HUBSPOT_DEFINED ids in both directions', () => {
    const official = new Map<string, number>()
    for (const t of DEFAULT_ASSOCIATION_TYPE_IDS) {
      official.set(`${t.from}>${t.to}`, t.typeId)
      official.set(`${t.to}>${t.from}`, t.inverseTypeId)
    }
    const generated = defaultAssociationTypes().filter((t) => t.category === 'HUBSPOT_DEFINED')
    expect(generated.length).toBeGreaterThanOrEqual(6)
    for (const t of generated) expect(t.typeId, `${t.fromType}→${t.toType}`).toBe(official.get(`${t.fromType}>${t.toType}`))
    expect(official.get('appointments>contacts')).toBe(906)
    expect(official.get('contacts>appointments')).toBe(907)
    expect(official.get('appointments>deals')).toBe(944)
    expect(official.get('deals>appointments')).toBe(945)
  })
})

describe('association labels', () => {
  it('GET /crm/v4/associations/{from}/{to}/labels lists every type of the pair in HubSpot’s shape', async () => {
    const r = await call(emu, 'GET', '/crm/v4/associations/contacts/deals/labels')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({
      results: [
        {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
        {category: 'USER_DEFINED', typeId: 5, label: 'Billing contact'},
      ],
    })
    const back = await call(emu, 'GET', '/crm/v4/associations/0-3/0-1/labels')
    expect(back.body.results).toEqual([
      {category: 'HUBSPOT_DEFINED', typeId: 3, label: null},
      {category: 'USER_DEFINED', typeId: 6, label: 'Billed deal'},
    ])
  })

  it('is served on the dated path too, and a pair without types answers an empty list', async () => {
    const r = await call(emu, 'GET', '/crm/associations/2026-03/contacts/deals/labels')
    expect(r.body.results.map((t: {typeId: number}) => t.typeId)).toEqual([4, 5])
    expect((await call(emu, 'GET', '/crm/v4/associations/deals/divisions/labels')).body).toEqual({results: []})
    expect((await call(emu, 'GET', '/crm/v4/associations/contacts/nonsense/labels')).status).toBe(400)
  })
})

describe('toObjectId is a JSON number, exact beyond 2^53 in crmsync’s client', () => {
  let big: Awaited<ReturnType<typeof startEmulator>>
  beforeAll(async () => {
    const deal = {
      id: BIG_ID,
      properties: {hs_object_id: BIG_ID, hs_lastmodifieddate: '2024-01-01T00:00:00.000Z'},
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      archived: false,
    }
    big = await startEmulator({
      token: TOKEN,
      rateLimit: 'none',
      portal: memoryPortal({
        objects: [
          {name: 'contacts', objectTypeId: '0-1', properties: [], records: [contact('1', 1)]},
          {name: 'deals', objectTypeId: '0-3', properties: [], records: [deal]},
        ],
        associations: [{fromType: 'contacts', fromId: '1', toType: 'deals', toId: BIG_ID, types: [{category: 'HUBSPOT_DEFINED', typeId: 4, label: null}]}],
      }),
    })
  })
  afterAll(async () => big?.stop())

  it('sends the raw number and crmsync’s association reader keeps every digit', async () => {
    const raw = await fetch(`${big.url}/crm/v4/associations/contacts/deals/batch/read`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({inputs: [{id: '1'}]}),
    })
    const text = await raw.text()
    expect(text).toContain(`"toObjectId":${BIG_ID}`)
    expect(String(JSON.parse(text).results[0].to[0].toObjectId)).not.toBe(BIG_ID) // what a plain JSON.parse client gets
    const client = new HubSpotHttpClient({baseUrl: big.url, accessToken: TOKEN})
    const rows = await readAssociations(client, {fromType: 'contacts', toType: 'deals', fromEntity: 'contacts', toEntity: 'deals'}, ['1'])
    expect(rows.map((r) => r.toId)).toEqual([BIG_ID])
  })
})

describe('owners and pipelines', () => {
  let e: InProcessEmulator
  beforeAll(async () => {
    const records: ReturnType<typeof contact>[] = [contact('1', 1), contact('2', 2), contact('3', 3)]
    records[0].properties.hubspot_owner_id = '77'
    records[1].properties.hubspot_owner_id = '1234'
    e = await createEmulator({
      token: TOKEN,
      portal: memoryPortal({
        objects: [
          {name: 'contacts', objectTypeId: '0-1', properties: [], records},
          {
            name: 'deals',
            objectTypeId: '0-3',
            properties: [
              {
                name: 'pipeline',
                label: 'Pipeline',
                type: 'enumeration',
                fieldType: 'select',
                options: [
                  {label: 'Sales', value: 'default'},
                  {label: 'Renewals', value: 'renewals'},
                ],
              },
              {
                name: 'dealstage',
                label: 'Deal stage',
                type: 'enumeration',
                fieldType: 'radio',
                options: [
                  {label: 'Won', value: 'closedwon'},
                  {label: 'Lost', value: 'closedlost'},
                ],
              },
            ],
            records: [],
          },
        ],
      }),
    })
  })
  afterAll(() => e.close())

  it('GET /crm/v3/owners lists every owner id found on records, with paging', async () => {
    const r = await call(e, 'GET', '/crm/v3/owners')
    expect(r.status).toBe(200)
    expect(r.body.results.map((o: {id: string}) => o.id)).toEqual(['77', '1234'])
    expect(r.body.results[0]).toMatchObject({id: '77', email: 'owner77@example.com', archived: false})
    const first = await call(e, 'GET', '/crm/v3/owners?limit=1')
    expect(first.body.results).toHaveLength(1)
    const second = await call(e, 'GET', `/crm/v3/owners?limit=1&after=${first.body.paging.next.after}`)
    expect(second.body.results[0].id).toBe('1234')
    expect(second.body.paging).toBeUndefined()
    expect((await call(e, 'GET', '/crm/v3/owners/1234')).body.id).toBe('1234')
    expect((await call(e, 'GET', '/crm/v3/owners/5')).status).toBe(404)
  })

  it('GET /crm/v3/pipelines/{objectType} builds pipelines and stages from the properties', async () => {
    const r = await call(e, 'GET', '/crm/v3/pipelines/deals')
    expect(r.status).toBe(200)
    expect(r.body.results.map((p: {id: string}) => p.id)).toEqual(['default', 'renewals'])
    expect(r.body.results[0].stages.map((s: {id: string; label: string}) => [s.id, s.label])).toEqual([
      ['closedwon', 'Won'],
      ['closedlost', 'Lost'],
    ])
    expect((await call(e, 'GET', '/crm/v3/pipelines/0-3')).body.results).toHaveLength(2)
    expect((await call(e, 'GET', '/crm/v3/pipelines/contacts')).body).toEqual({results: []})
  })
})

describe('object addressing and associations= on list/get', () => {
  it('finds a custom object by object type id, name, singular and fully qualified name', async () => {
    for (const seg of ['2-999', 'divisions', 'division', 'p1_divisions', 'P1_DIVISIONS']) {
      const r = await call(emu, 'GET', `/crm/v3/objects/${seg}?limit=1`)
      expect(r.status, seg).toBe(200)
      expect(r.body.results[0].id).toBe('201')
    }
    expect((await call(emu, 'GET', '/crm/v3/objects/p2_divisions')).status).toBe(400)
  })

  it('adds HubSpot’s associations block to list and get answers', async () => {
    const l = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=3&associations=deals,divisions')
    const [one, two, three] = l.body.results
    expect(one.associations.deals.results.map((a: {id: string}) => a.id)).toEqual(['101', '102', '103', '104', '105'])
    expect(one.associations.deals.results[0]).toEqual({id: '101', type: 'contact_to_deal'})
    expect(two.associations.deals.results).toEqual([
      {id: '101', type: 'contact_to_deal'},
      {id: '101', type: 'contact_to_deal_5'},
    ])
    expect(three.associations).toEqual({divisions: {results: [{id: '201', type: 'contact_to_division_41'}]}})
    const g = await call(emu, 'GET', '/crm/v3/objects/deals/101?associations=contacts')
    expect(g.body.associations.contacts.results.map((a: {id: string}) => a.id)).toEqual(['1', '2', '2'])
    const none = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=1')
    expect(none.body.results[0].associations).toBeUndefined()
  })
})

describe('companies and tickets', () => {
  it('are left out of a generated portal by default and served like the other objects when asked for', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crmsync-extra-'))
    try {
      const plain = await generatePortal({out: join(root, 'a'), contacts: 5, deals: 2, appointments: 1, divisions: 1, seed: 3})
      expect(plain.objects.map((o) => o.name)).not.toContain('companies')
      await generatePortal({out: join(root, 'b'), contacts: 5, deals: 2, appointments: 1, divisions: 1, seed: 3, companies: 120, tickets: 7})
      const e = await startEmulator({portalDir: join(root, 'b'), token: TOKEN, rateLimit: 'none'})
      try {
        const get = (path: string) => fetch(e.url + path, {headers: {authorization: `Bearer ${TOKEN}`}}).then((r) => r.json() as Promise<any>) // eslint-disable-line @typescript-eslint/no-explicit-any
        const page = await get('/crm/v3/objects/0-2?limit=100&properties=name,domain')
        expect(page.results).toHaveLength(100)
        expect(page.results[0].properties.name).toMatch(/^Company /)
        expect((await get(`/crm/v3/objects/companies?limit=100&after=${page.paging.next.after}`)).results).toHaveLength(20)
        expect((await get('/crm/v3/objects/tickets?limit=100')).results).toHaveLength(7)
        expect((await get('/crm/v3/properties/tickets')).results.map((p: {name: string}) => p.name)).toContain('hs_pipeline_stage')
        expect((await get('/crm/v3/pipelines/tickets')).results[0].stages).toHaveLength(4)
      } finally {
        await e.stop()
      }
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
