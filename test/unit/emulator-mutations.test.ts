import {afterEach, describe, expect, it} from 'vitest'
import {MutationError, type InProcessEmulator} from '../../src/emulator/index.js'
import {BIG_ID, call, emulator, fakeClock, T0} from './emulator-fixture.js'

let emu: InProcessEmulator | undefined
afterEach(() => emu?.close())

const get = (e: InProcessEmulator, id: string, q = 'properties=email,lastmodifieddate,hs_merged_object_ids') => call(e, 'GET', `/crm/v3/objects/contacts/${id}?${q}`)
const searchIds = async (e: InProcessEmulator, filters: unknown[]) =>
  (await call(e, 'POST', '/crm/v3/objects/contacts/search', {filterGroups: [{filters}], limit: 200, properties: ['email']})).body.results.map((r: {id: string}) => r.id)

describe('mutations', () => {
  it('update bumps updatedAt and the modified property in the stored format', async () => {
    const clock = fakeClock()
    emu = await emulator({now: clock.now})
    emu.mutate({kind: 'update', entity: 'contacts', id: '3', properties: {email: 'changed@example.com'}}) // odd id: modified stored as epoch ms
    emu.mutate({kind: 'update', entity: 'contacts', id: '4', properties: {}}) // even: ISO
    const three = await get(emu, '3')
    expect(three.body.properties).toMatchObject({email: 'changed@example.com', lastmodifieddate: String(clock.now())})
    expect(three.body.updatedAt).toBe(new Date(clock.now()).toISOString())
    expect((await get(emu, '4')).body.properties.lastmodifieddate).toBe(new Date(clock.now()).toISOString())
    const recent = await searchIds(emu, [{propertyName: 'lastmodifieddate', operator: 'GTE', value: String(clock.now())}])
    expect(recent).toEqual(['3', '4'])
  })

  it('create assigns the next id and the record is listed and searchable', async () => {
    emu = await emulator()
    const [r] = emu.mutate({kind: 'create', entity: 'contacts', properties: {email: 'fresh@example.com'}})
    expect(r.id).toBe('9007199254740994') // BIG_ID + 1, exact
    const all = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=100&after=31')
    expect(all.body.results.map((x: {id: string}) => x.id)).toEqual([BIG_ID, r.id])
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'fresh@example.com'}])).toEqual([r.id])
  })

  it('archive moves the record to archived=true, drops it from search and drops its associations', async () => {
    emu = await emulator()
    emu.mutate({kind: 'archive', entity: 'contacts', id: '1'})
    const archived = await call(emu, 'GET', '/crm/v3/objects/contacts?archived=true&limit=100')
    expect(archived.body.results.map((x: {id: string}) => x.id)).toEqual(['1', '5'])
    expect(archived.body.results[0].archivedAt).toBeTruthy()
    expect(await searchIds(emu, [{propertyName: 'hs_object_id', operator: 'EQ', value: '1'}])).toEqual([])
    const assoc = await call(emu, 'POST', '/crm/v4/associations/deals/contacts/batch/read', {inputs: [{id: '102'}]})
    expect(assoc.body.results).toEqual([])
  })

  it('merge removes the loser, records it in hs_merged_object_ids and moves its associations', async () => {
    emu = await emulator()
    emu.mutate({kind: 'merge', entity: 'contacts', winnerId: '2', loserId: '1'})
    expect((await get(emu, '1')).status).toBe(404)
    expect((await call(emu, 'GET', '/crm/v3/objects/contacts/1?archived=true')).status).toBe(404) // losers disappear, not archived
    expect((await get(emu, '2')).body.properties.hs_merged_object_ids).toBe('1')
    const assoc = await call(emu, 'POST', '/crm/v4/associations/contacts/deals/batch/read', {inputs: [{id: '2'}]})
    const to = assoc.body.results[0].to
    expect(to.map((t: {toObjectId: number}) => t.toObjectId)).toEqual([101, 102, 103, 104, 105])
    expect(to[0].associationTypes.map((t: {typeId: number}) => t.typeId)).toEqual([4, 5])
    const back = await call(emu, 'POST', '/crm/v4/associations/deals/contacts/batch/read', {inputs: [{id: '103'}]})
    expect(back.body.results[0].to).toEqual([{toObjectId: 2, associationTypes: [{category: 'HUBSPOT_DEFINED', typeId: 3, label: null}]}])
    emu.mutate({kind: 'merge', entity: 'contacts', winnerId: '4', loserId: '2'})
    expect((await get(emu, '4')).body.properties.hs_merged_object_ids).toBe('2;1')
  })

  it('associate and unassociate change both directions', async () => {
    emu = await emulator()
    emu.mutate({kind: 'associate', fromEntity: 'contacts', fromId: '9', toEntity: 'deals', toId: '105', typeId: 4})
    const fwd = await call(emu, 'POST', '/crm/v4/associations/contacts/deals/batch/read', {inputs: [{id: '9'}]})
    expect(fwd.body.results[0].to[0].toObjectId).toBe(105)
    const rev = await call(emu, 'POST', '/crm/v4/associations/deals/contacts/batch/read', {inputs: [{id: '105'}]})
    expect(rev.body.results[0].to.map((t: {toObjectId: number}) => t.toObjectId)).toEqual([1, 9])
    emu.mutate({kind: 'unassociate', fromEntity: 'deals', fromId: '105', toEntity: 'contacts', toId: '9'})
    expect((await call(emu, 'POST', '/crm/v4/associations/contacts/deals/batch/read', {inputs: [{id: '9'}]})).status).toBe(207)
  })

  it('rejects impossible mutations atomically', async () => {
    emu = await emulator()
    expect(() =>
      emu!.mutate([
        {kind: 'update', entity: 'contacts', id: '2', properties: {email: 'x@y'}},
        {kind: 'update', entity: 'contacts', id: '404'},
      ]),
    ).toThrow(MutationError)
    expect((await get(emu, '2')).body.properties.email).toBe('user2@example.com') // first op rolled back
    expect(() => emu!.mutate({kind: 'merge', entity: 'contacts', winnerId: '2', loserId: '2'})).toThrow(MutationError)
    expect(() => emu!.mutate({kind: 'create', entity: 'companies'})).toThrow(/unknown entity/)
  })
})

describe('search index lag', () => {
  it('hides new records, keeps old values and still shows freshly archived ones until the lag passes', async () => {
    const clock = fakeClock()
    emu = await emulator({faults: 'index-lag:seconds=5', now: clock.now})
    const [created] = emu.mutate({kind: 'create', entity: 'contacts', properties: {email: 'lagging@example.com'}})
    emu.mutate({kind: 'update', entity: 'contacts', id: '2', properties: {email: 'renamed@example.com'}})
    emu.mutate({kind: 'archive', entity: 'contacts', id: '3'})
    // list and get see the change at once
    expect((await get(emu, created.id)).status).toBe(200)
    expect((await get(emu, '2')).body.properties.email).toBe('renamed@example.com')
    // search does not yet
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'lagging@example.com'}])).toEqual([])
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'renamed@example.com'}])).toEqual([])
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'user2@example.com'}])).toEqual(['2'])
    expect(await searchIds(emu, [{propertyName: 'hs_object_id', operator: 'EQ', value: '3'}])).toEqual(['3'])
    const stale = await searchIds(emu, [
      {propertyName: 'lastmodifieddate', operator: 'GTE', value: String(T0 + 2 * 60_000)},
      {propertyName: 'lastmodifieddate', operator: 'LTE', value: String(T0 + 2 * 60_000)},
    ])
    expect(stale).toEqual(['2']) // still found under its old modified date
    clock.advance(5001)
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'lagging@example.com'}])).toEqual([created.id])
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'renamed@example.com'}])).toEqual(['2'])
    expect(await searchIds(emu, [{propertyName: 'hs_object_id', operator: 'EQ', value: '3'}])).toEqual([])
  })

  it('a second change inside the window keeps the version search last saw', async () => {
    const clock = fakeClock()
    emu = await emulator({faults: 'index-lag:seconds=5', now: clock.now})
    emu.mutate({kind: 'update', entity: 'contacts', id: '2', properties: {email: 'a@example.com'}})
    clock.advance(1000)
    emu.mutate({kind: 'update', entity: 'contacts', id: '2', properties: {email: 'b@example.com'}})
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'user2@example.com'}])).toEqual(['2'])
    clock.advance(5000)
    expect(await searchIds(emu, [{propertyName: 'email', operator: 'EQ', value: 'b@example.com'}])).toEqual(['2'])
  })
})
