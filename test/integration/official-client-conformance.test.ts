/**
 * A second client proves the emulator: the official @hubspot/api-client (v13, `basePath` pointed at
 * the emulator over loopback, no crmsync code in the request path) through every endpoint the
 * emulator serves, each answer checked against the snapshot. The emulator runs with its default
 * limit (HubSpot's 190/10 s tier), which this handful of requests stays under.
 * docs/emulator.md lists the endpoints served and not served.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Client} from '@hubspot/api-client'
import {FilterOperatorEnum} from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {CrmRecord} from '../../src/core/records.js'
import {startEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'
import {openPortal, type PortalReader} from '../../src/portal/snapshot.js'

const TOKEN = 'conformance-token'
let dir: string
let emu: RunningEmulator
let portal: PortalReader
let client: Client

async function records(entity: string): Promise<CrmRecord[]> {
  const out: CrmRecord[] = []
  for await (const r of portal.records(entity)) if (!r.archived) out.push(r)
  return out
}

const ids = (list: Array<{id: string}>): string[] => list.map((o) => o.id)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-conformance-'))
  await generatePortal({out: join(dir, 'portal'), contacts: 150, deals: 60, appointments: 30, divisions: 4, companies: 12, tickets: 8, seed: 23})
  portal = await openPortal(join(dir, 'portal'))
  emu = await startEmulator({portalDir: join(dir, 'portal'), token: TOKEN})
  client = new Client({accessToken: TOKEN, basePath: emu.url})
})

afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
})

describe('@hubspot/api-client through every endpoint the emulator serves', () => {
  it('basicApi.getPage and getById (contacts, companies, tickets, a custom object by fully qualified name)', async () => {
    const contacts = await records('contacts')
    const page = await client.crm.contacts.basicApi.getPage(100, undefined, ['email'])
    expect(ids(page.results)).toEqual(ids(contacts.slice(0, 100)))
    expect(page.results[0].properties.email).toBe(contacts[0].properties.email)
    const rest = await client.crm.contacts.basicApi.getPage(100, page.paging?.next?.after, ['email'])
    expect(ids(rest.results)).toEqual(ids(contacts.slice(100)))
    const one = await client.crm.contacts.basicApi.getById(contacts[3].id, ['email', 'firstname'])
    expect(one.properties).toMatchObject({email: contacts[3].properties.email})
    expect(ids((await client.crm.companies.basicApi.getPage(100)).results)).toEqual(ids(await records('companies')))
    expect(ids((await client.crm.tickets.basicApi.getPage(100)).results)).toEqual(ids(await records('tickets')))
    const fqn = portal.objectType('divisions').fullyQualifiedName!
    expect(fqn).toMatch(/^p\d+_divisions$/)
    expect(ids((await client.crm.objects.basicApi.getPage(fqn, 100)).results)).toEqual(ids(await records('divisions')))
  })

  it('associations= on getPage and getById answer HubSpot’s associations block', async () => {
    const edges = new Map<string, string[]>()
    for await (const a of portal.associations()) if (a.fromType === 'contacts' && a.toType === 'deals') edges.set(a.fromId, [...(edges.get(a.fromId) ?? []), a.toId])
    const [fromId, toIds] = [...edges.entries()][0]
    const one = await client.crm.contacts.basicApi.getById(fromId, undefined, undefined, ['deals'])
    expect([...new Set(one.associations?.deals?.results.map((r) => r.id))]).toEqual(toIds)
    const page = await client.crm.contacts.basicApi.getPage(100, undefined, undefined, undefined, ['deals'])
    const withDeals = page.results.filter((r) => r.associations?.deals)
    expect(withDeals.length).toBe(page.results.filter((r) => edges.has(r.id)).length)
  })

  it('searchApi.doSearch with filters, sorts and paging', async () => {
    const deals = await records('deals')
    const amount = (r: CrmRecord) => Number(r.properties.amount ?? NaN)
    const expected = deals.filter((d) => amount(d) > 1000).sort((a, b) => amount(a) - amount(b) || a.id.length - b.id.length || (a.id < b.id ? -1 : 1))
    const got: string[] = []
    let after: string | undefined = '0'
    do {
      const res = await client.crm.deals.searchApi.doSearch({
        filterGroups: [{filters: [{propertyName: 'amount', operator: FilterOperatorEnum.Gt, value: '1000'}]}],
        sorts: [{propertyName: 'amount', direction: 'ASCENDING'}] as unknown as string[],
        properties: ['amount'],
        limit: 20,
        after,
      })
      expect(res.total).toBe(expected.length)
      got.push(...ids(res.results))
      after = res.paging?.next?.after
    } while (after)
    expect(got).toEqual(ids(expected))
  })

  it('batchApi.read', async () => {
    const deals = (await records('deals')).slice(0, 25)
    const res = await client.crm.deals.batchApi.read({inputs: deals.map((d) => ({id: d.id})), properties: ['dealname'], propertiesWithHistory: []})
    expect(ids(res.results).sort()).toEqual(ids(deals).sort())
  })

  it('associations v4 batchApi.getPage and the labels endpoint (definitionsApi.getAll)', async () => {
    const expected = new Set<string>()
    for await (const a of portal.associations()) if (a.fromType === 'appointments' && a.toType === 'contacts') expected.add(`${a.fromId}>${a.toId}`)
    const from = (await records('appointments')).map((r) => r.id)
    const res = await client.crm.associations.v4.batchApi.getPage('appointments', 'contacts', {inputs: from.map((id) => ({id}))})
    const got = new Set(res.results.flatMap((r) => r.to.map((t) => `${r._from.id}>${String(t.toObjectId)}`)))
    expect(got).toEqual(expected)
    const typeIds = new Set(res.results.flatMap((r) => r.to.flatMap((t) => t.associationTypes.map((x) => x.typeId))))
    expect(typeIds.has(906)).toBe(true)
    const labels = await client.crm.associations.v4.schema.definitionsApi.getAll('appointments', 'contacts')
    const served = labels.results.map((l) => l.typeId)
    for (const t of typeIds) expect(served).toContain(t)
    const reverse = await client.crm.associations.v4.schema.definitionsApi.getAll('contacts', 'appointments')
    expect(reverse.results.map((l) => l.typeId)).toContain(907)
  })

  it('schemas and properties', async () => {
    const schemas = await client.crm.schemas.coreApi.getAll()
    expect(schemas.results.map((s) => s.objectTypeId)).toEqual([portal.objectType('divisions').objectTypeId])
    const props = await client.crm.properties.coreApi.getAll('deals')
    expect(props.results.map((p) => p.name)).toEqual(portal.objectType('deals').properties!.map((p) => p.name))
  })

  it('owners (ownersApi.getPage, getById) and pipelines (pipelinesApi.getAll)', async () => {
    const [a, b] = await records('contacts')
    emu.mutate([
      {kind: 'update', entity: 'contacts', id: a.id, properties: {hubspot_owner_id: '501'}},
      {kind: 'update', entity: 'contacts', id: b.id, properties: {hubspot_owner_id: '502'}},
    ])
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100)
    expect(ids(owners.results)).toEqual(['501', '502'])
    expect((await client.crm.owners.ownersApi.getById(502)).email).toBe('owner502@example.com')
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals')
    const dealstage = portal.objectType('deals').properties!.find((p) => p.name === 'dealstage')!
    expect(pipelines.results.length).toBeGreaterThan(0)
    expect(pipelines.results[0].stages.map((s) => s.id)).toEqual(dealstage.options!.map((o) => o.value))
    expect((await client.crm.pipelines.pipelinesApi.getAll('tickets')).results[0].stages.length).toBeGreaterThan(0)
  })

  it('rate-limit headers come with every non-search answer and never with search answers', async () => {
    const list = await client.apiRequest({method: 'GET', path: '/crm/v3/objects/contacts?limit=1'})
    expect(list.headers.get('x-hubspot-ratelimit-max')).toBe('190')
    expect(list.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    const search = await client.apiRequest({method: 'POST', path: '/crm/v3/objects/contacts/search', body: {limit: 1}})
    expect(search.status).toBe(200)
    expect([...search.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([])
  })
})
