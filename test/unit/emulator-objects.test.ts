import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LIMITS} from '../../src/connectors/hubspot/objects.js'
import type {InProcessEmulator} from '../../src/emulator/index.js'
import {BIG_ID, call, emulator} from './emulator-fixture.js'

let emu: InProcessEmulator
beforeAll(async () => {
  emu = await emulator()
})
afterAll(() => emu.close())

describe('list endpoint', () => {
  it('defaults to 10 results and pages through every live record in integer id order', async () => {
    const first = await call(emu, 'GET', '/crm/v3/objects/contacts')
    expect(first.status).toBe(200)
    expect(first.body.results).toHaveLength(10)
    const ids: string[] = []
    let after: string | undefined
    let pages = 0
    do {
      const r = await call(emu, 'GET', `/crm/v3/objects/contacts?limit=7${after ? `&after=${after}` : ''}`)
      expect(r.status).toBe(200)
      ids.push(...r.body.results.map((x: {id: string}) => x.id))
      after = r.body.paging?.next?.after
      pages++
    } while (after)
    const expected = [...Array.from({length: 30}, (_, i) => String(i + 1)).filter((id) => id !== '5'), BIG_ID]
    expect(ids).toEqual(expected)
    expect(pages).toBe(Math.ceil(expected.length / 7))
  })

  it('has no paging on the last page', async () => {
    const r = await call(emu, 'GET', `/crm/v3/objects/contacts?limit=100`)
    expect(r.body.results).toHaveLength(30)
    expect(r.body.paging).toBeUndefined()
  })

  it('answers 400 above limit 100 and for a bad after', async () => {
    const r = await call(emu, 'GET', `/crm/v3/objects/contacts?limit=${LIMITS.listPageMax + 1}`)
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({status: 'error', category: 'VALIDATION_ERROR'})
    expect(r.body.correlationId).toMatch(/[0-9a-f-]{36}/)
    expect((await call(emu, 'GET', '/crm/v3/objects/contacts?after=abc')).status).toBe(400)
  })

  it('archived=true returns only archived records, with archivedAt', async () => {
    const r = await call(emu, 'GET', '/crm/v3/objects/contacts?archived=true&limit=100')
    expect(r.body.results.map((x: {id: string}) => x.id)).toEqual(['5'])
    expect(r.body.results[0]).toMatchObject({archived: true, archivedAt: '2024-02-01T00:00:00.000Z'})
  })

  it('returns the requested properties (comma list and repeated params), default ones otherwise', async () => {
    const a = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=3&properties=email,score&properties=firstname')
    expect(Object.keys(a.body.results[2].properties).sort()).toEqual(['email', 'firstname', 'score'])
    expect(a.body.results[2].properties.firstname).toBeNull() // stored as null, returned as null
    const d = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=1')
    expect(Object.keys(d.body.results[0].properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate'])
    expect(d.body.results[0]).toMatchObject({id: '1', archived: false, createdAt: '2024-01-01T00:00:00.000Z'})
  })

  it('answers 414 when the URL is longer than LIMITS.maxUrlLength', async () => {
    const props = Array.from({length: 800}, (_, i) => `custom_property_${i}`).join(',')
    const r = await call(emu, 'GET', `/crm/v3/objects/contacts?properties=${props}`)
    expect(r.status).toBe(414)
  })
})

describe('single get and batch read', () => {
  it('gets one record and answers 404 for unknown or archived ones', async () => {
    expect((await call(emu, 'GET', `/crm/v3/objects/contacts/${BIG_ID}?properties=email`)).body).toMatchObject({id: BIG_ID, properties: {email: 'user31@example.com'}})
    const nf = await call(emu, 'GET', '/crm/v3/objects/contacts/999')
    expect(nf.status).toBe(404)
    expect(nf.body.category).toBe('OBJECT_NOT_FOUND')
    expect((await call(emu, 'GET', '/crm/v3/objects/contacts/5')).status).toBe(404)
    expect((await call(emu, 'GET', '/crm/v3/objects/contacts/5?archived=true')).status).toBe(200)
  })

  it('reads a batch with properties; missing ids give 207 with errors', async () => {
    const ok = await call(emu, 'POST', '/crm/v3/objects/contacts/batch/read', {inputs: [{id: '2'}, {id: BIG_ID}], properties: ['email']})
    expect(ok.status).toBe(200)
    expect(ok.body.status).toBe('COMPLETE')
    expect(ok.body.results.map((r: {id: string}) => r.id)).toEqual(['2', BIG_ID])
    expect(Object.keys(ok.body.results[0].properties)).toEqual(['email'])
    const partial = await call(emu, 'POST', '/crm/v3/objects/contacts/batch/read', {inputs: [{id: '2'}, {id: '404'}], properties: []})
    expect(partial.status).toBe(207)
    expect(partial.body.numErrors).toBe(1)
    expect(partial.body.errors[0].context.ids).toEqual(['404'])
  })

  it('reads a batch by idProperty', async () => {
    const r = await call(emu, 'POST', '/crm/v3/objects/contacts/batch/read', {inputs: [{id: 'user4@example.com'}], idProperty: 'email', properties: ['score']})
    expect(r.body.results[0]).toMatchObject({id: '4', properties: {score: '40'}})
  })

  it('answers 400 above 100 inputs', async () => {
    const inputs = Array.from({length: LIMITS.batchReadMax + 1}, (_, i) => ({id: String(i + 1)}))
    const r = await call(emu, 'POST', '/crm/v3/objects/contacts/batch/read', {inputs})
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/at most 100/)
  })

  it('answers 400 for a body that is not JSON', async () => {
    const {getResponse} = await import('msw')
    const res = await getResponse(emu.handlers, new Request('http://x/crm/v3/objects/contacts/batch/read', {method: 'POST', body: '{nope', headers: {authorization: 'Bearer test-token'}}))
    expect(res?.status).toBe(400)
  })
})

describe('object types, schemas and properties', () => {
  it('accepts the type id, the path name and the fully qualified name', async () => {
    for (const t of ['0-1', 'contacts', 'contact']) expect((await call(emu, 'GET', `/crm/v3/objects/${t}?limit=1`)).body.results[0].id).toBe('1')
    for (const t of ['2-999', 'p1_divisions', 'divisions']) expect((await call(emu, 'GET', `/crm/v3/objects/${t}?limit=5`)).body.results.map((r: {id: string}) => r.id)).toEqual(['201', '202'])
    const bad = await call(emu, 'GET', '/crm/v3/objects/companies')
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('companies')
  })

  it('serves the custom object schema on both schema paths', async () => {
    for (const path of ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas']) {
      const r = await call(emu, 'GET', path)
      expect(r.status).toBe(200)
      expect(r.body.results).toHaveLength(1)
      expect(r.body.results[0]).toMatchObject({objectTypeId: '2-999', fullyQualifiedName: 'p1_divisions', name: 'divisions'})
    }
  })

  it('lists property definitions with their types', async () => {
    const r = await call(emu, 'GET', '/crm/v3/properties/contacts')
    expect(r.body.results.find((p: {name: string}) => p.name === 'score')).toMatchObject({type: 'number'})
    expect((await call(emu, 'GET', '/crm/v3/properties/p1_divisions')).body.results.map((p: {name: string}) => p.name)).toEqual(['division_name'])
  })

  it('answers unknown paths with a HubSpot-shaped 404', async () => {
    const r = await call(emu, 'GET', '/crm/v3/marketing-events')
    expect(r.status).toBe(404)
    expect(r.body.status).toBe('error')
  })
})

describe('date-versioned paths', () => {
  it('serves /crm/objects/2026-03/... and /crm/associations/2026-03/... beside v3/v4', async () => {
    const l = await call(emu, 'GET', '/crm/objects/2026-03/contacts?limit=2')
    expect(l.body.results.map((r: {id: string}) => r.id)).toEqual(['1', '2'])
    const s = await call(emu, 'POST', '/crm/objects/2026-03/0-1/search', {limit: 1})
    expect(s.body.total).toBe(30)
    const a = await call(emu, 'POST', '/crm/associations/2026-03/contacts/deals/batch/read', {inputs: [{id: '2'}]})
    expect(a.body.results[0].to[0].toObjectId).toBe(101)
  })
})
