import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {InProcessEmulator} from '../../src/emulator/index.js'
import {memoryPortal} from '../../src/emulator/memory-portal.js'
import type {CrmRecord} from '../../src/core/records.js'
import {BIG_ID, call, contact, emulator, T0} from './emulator-fixture.js'

let emu: InProcessEmulator
beforeAll(async () => {
  emu = await emulator()
})
afterAll(() => emu.close())

const ids = (r: {body: {results: Array<{id: string}>}}): string[] => r.body.results.map((x) => x.id)
const search = (body: unknown, type = 'contacts') => call(emu, 'POST', `/crm/v3/objects/${type}/search`, body)
const one = (propertyName: string, operator: string, extra: Record<string, unknown>) => search({filterGroups: [{filters: [{propertyName, operator, ...extra}]}], limit: 200})

describe('search filters', () => {
  it('EQ / NEQ on strings', async () => {
    expect(ids(await one('email', 'EQ', {value: 'user4@example.com'}))).toEqual(['4'])
    const neq = await one('email', 'NEQ', {value: 'user4@example.com'})
    expect(neq.body.total).toBe(29) // 31 contacts, 1 archived, 1 excluded
  })

  it('numbers compare numerically, not as text', async () => {
    // as text "90" > "100"; numerically only 100..300 are >= 100
    expect((await one('score', 'GTE', {value: '100'})).body.total).toBe(22) // 10..31 minus archived 5 → none archived in range
    expect(ids(await one('score', 'LT', {value: 30}))).toEqual(['1', '2'])
    expect(ids(await one('score', 'BETWEEN', {value: '40', highValue: '60'}))).toEqual(['4', '6'])
    expect(ids(await one('score', 'LTE', {value: '20'}))).toEqual(['1', '2'])
    expect(ids(await one('score', 'GT', {value: '290'}))).toEqual(['30', BIG_ID])
  })

  it('dates compare as instants whether stored as epoch ms or ISO, and filter values may be either', async () => {
    // contact n modified at T0 + n min; odd n stored as ms, even as ISO
    const atISO = await one('lastmodifieddate', 'GTE', {value: new Date(T0 + 28 * 60_000).toISOString()})
    expect(ids(atISO)).toEqual(['28', '29', '30', BIG_ID])
    const atMs = await one('lastmodifieddate', 'LT', {value: String(T0 + 3 * 60_000)})
    expect(ids(atMs)).toEqual(['1', '2'])
    const dateProp = await one('birthdate', 'EQ', {value: new Date(T0 - 4 * 86_400_000).toISOString().slice(0, 10)})
    expect(ids(dateProp)).toEqual(['4'])
  })

  it('IN, HAS_PROPERTY, NOT_HAS_PROPERTY', async () => {
    expect(ids(await one('email', 'IN', {values: ['user2@example.com', 'user9@example.com', 'nobody@x']}))).toEqual(['2', '9'])
    const has = await one('firstname', 'HAS_PROPERTY', {})
    expect(has.body.total).toBe(20) // 31 live minus ids divisible by 3 (10 of them: 3..30; BIG_ID is n=31)
    const hasNot = await one('firstname', 'NOT_HAS_PROPERTY', {})
    expect(hasNot.body.total).toBe(10)
    expect(ids(await one('nickname', 'HAS_PROPERTY', {}))).toEqual([]) // empty string counts as not set
  })

  it('NOT_IN includes records without the property; CONTAINS_TOKEN matches case-insensitively', async () => {
    const notIn = await one('firstname', 'NOT_IN', {values: ['Name1', 'Name2']})
    expect(notIn.body.total).toBe(28) // 30 live minus two; the 10 null firstnames are included
    expect(ids(await one('email', 'CONTAINS_TOKEN', {value: 'USER12@'}))).toEqual(['12'])
    expect((await one('email', 'NOT_CONTAINS_TOKEN', {value: 'user1'})).body.total).toBe(30 - 11) // user1, user10..19
  })

  it('filters on hs_object_id as integers, beyond 2^53', async () => {
    expect(ids(await one('hs_object_id', 'GT', {value: '29'}))).toEqual(['30', BIG_ID])
    expect(ids(await one('hs_object_id', 'GT', {value: '9007199254740992'}))).toEqual([BIG_ID])
    expect(ids(await one('hs_object_id', 'EQ', {value: BIG_ID}))).toEqual([BIG_ID])
  })

  it('ORs filter groups and ANDs filters within a group', async () => {
    const r = await search({
      filterGroups: [
        {
          filters: [
            {propertyName: 'score', operator: 'GTE', value: '100'},
            {propertyName: 'score', operator: 'LTE', value: '110'},
          ],
        },
        {filters: [{propertyName: 'email', operator: 'EQ', value: 'user2@example.com'}]},
      ],
    })
    expect(ids(r)).toEqual(['2', '10', '11'])
  })

  it('never returns archived records', async () => {
    expect(ids(await one('email', 'EQ', {value: 'user5@example.com'}))).toEqual([])
    expect(ids(await one('hs_object_id', 'EQ', {value: '5'}))).toEqual([])
  })
})

describe('search sorts, properties, paging, limits', () => {
  it('sorts by any property in either direction, ties broken by id', async () => {
    const desc = await search({sorts: [{propertyName: 'lastmodifieddate', direction: 'DESCENDING'}], limit: 3})
    expect(ids(desc)).toEqual([BIG_ID, '30', '29'])
    const asc = await search({sorts: [{propertyName: 'score', direction: 'ASCENDING'}], limit: 3})
    expect(ids(asc)).toEqual(['1', '2', '3'])
    const byString = await search({sorts: [{propertyName: 'email', direction: 'DESCENDING'}], limit: 2})
    expect(ids(byString)).toEqual(['9', '8']) // user9 > user8 > user31 as text
    const byId = await search({sorts: [{propertyName: 'hs_object_id', direction: 'DESCENDING'}], limit: 2})
    expect(ids(byId)).toEqual([BIG_ID, '30'])
    expect(ids(await search({sorts: ['-score'], limit: 1}))).toEqual([BIG_ID])
  })

  it('returns requested properties and pages with after and total', async () => {
    const seen: string[] = []
    let after: string | undefined
    do {
      const r = await search({properties: ['email'], limit: 8, after, sorts: [{propertyName: 'hs_object_id', direction: 'ASCENDING'}]})
      expect(r.body.total).toBe(30)
      expect(Object.keys(r.body.results[0].properties)).toEqual(['email'])
      seen.push(...ids(r))
      after = r.body.paging?.next?.after
    } while (after)
    expect(seen).toHaveLength(30)
    expect(new Set(seen).size).toBe(30)
  })

  it('enforces limit <= 200 and HubSpot’s filter limits (5 groups, 6 per group, 18 in all) with 400s', async () => {
    const f = {propertyName: 'score', operator: 'GT', value: '1'}
    expect((await search({limit: 201})).status).toBe(400)
    expect((await search({limit: 200})).status).toBe(200)
    expect((await search({filterGroups: Array.from({length: 6}, () => ({filters: [f]}))})).status).toBe(400)
    expect((await search({filterGroups: Array.from({length: 5}, () => ({filters: [f]}))})).status).toBe(200)
    expect((await search({filterGroups: [{filters: Array.from({length: 7}, () => f)}]})).status).toBe(400)
    expect((await search({filterGroups: [{filters: Array.from({length: 6}, () => f)}]})).status).toBe(200)
    const total18 = [6, 6, 6].map((n) => ({filters: Array.from({length: n}, () => f)}))
    expect((await search({filterGroups: total18})).status).toBe(200)
    const total19 = [6, 6, 6, 1].map((n) => ({filters: Array.from({length: n}, () => f)}))
    const r = await search({filterGroups: total19})
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({status: 'error', category: 'VALIDATION_ERROR'})
    expect(r.body.message).toMatch(/18/)
    expect((await search({filterGroups: [{filters: [{propertyName: 'score', operator: 'LIKE', value: '1'}]}]})).status).toBe(400)
    expect((await search({filterGroups: [{filters: [{propertyName: 'bad"name', operator: 'EQ', value: '1'}]}]})).status).toBe(400)
  })
})

describe('the 10,000 result cap', () => {
  let big: InProcessEmulator
  beforeAll(async () => {
    const same = T0 + 42
    async function* many(): AsyncGenerator<CrmRecord> {
      for (let n = 1; n <= 10_050; n++) yield {...contact(String(n), n), properties: {hs_object_id: String(n), lastmodifieddate: String(same)}}
    }
    const src = memoryPortal({objects: [{name: 'contacts', objectTypeId: '0-1', properties: [], records: []}]})
    big = await emulator({}, {...src, records: () => many()})
  })
  afterAll(() => big.close())

  it('reports the true total but answers 400 when paging past 10,000', async () => {
    const body = {
      filterGroups: [{filters: [{propertyName: 'lastmodifieddate', operator: 'GTE', value: String(T0)}]}],
      sorts: [{propertyName: 'lastmodifieddate', direction: 'ASCENDING'}],
      limit: 200,
      after: '9800',
    }
    const r = await call(big, 'POST', '/crm/v3/objects/contacts/search', body)
    expect(r.status).toBe(200)
    expect(r.body.total).toBe(10_050)
    expect(r.body.results).toHaveLength(200)
    expect(r.body.paging.next.after).toBe('10000')
    const past = await call(big, 'POST', '/crm/v3/objects/contacts/search', {...body, after: '10000'})
    expect(past.status).toBe(400)
    expect(past.body.category).toBe('VALIDATION_ERROR')
    const clipped = await call(big, 'POST', '/crm/v3/objects/contacts/search', {...body, after: '9900'})
    expect(clipped.body.results).toHaveLength(100) // never beyond result 10,000
  })

  it('lets a client re-window on (modified, id) to read everything', async () => {
    // every record shares one modified value: the window must advance on hs_object_id
    const seen = new Set<string>()
    let lastId = '0'
    for (;;) {
      let after: string | undefined
      let got = 0
      let last = lastId
      do {
        const r = await call(big, 'POST', '/crm/v3/objects/contacts/search', {
          filterGroups: [{filters: [{propertyName: 'hs_object_id', operator: 'GT', value: lastId}]}],
          sorts: [{propertyName: 'hs_object_id', direction: 'ASCENDING'}],
          limit: 200,
          after,
        })
        for (const x of r.body.results) seen.add(x.id)
        got += r.body.results.length
        if (r.body.results.length > 0) last = r.body.results.at(-1).id
        after = r.body.paging?.next?.after
      } while (after && Number(after) < 10_000)
      if (got === 0) break
      lastId = last
    }
    expect(seen.size).toBe(10_050)
  })
})

describe('several emulators in one process', () => {
  it('keep their own search totals', async () => {
    const small = await emulator({}, (await import('./emulator-fixture.js')).sampleSource(10))
    try {
      const q = {filterGroups: [{filters: [{propertyName: 'score', operator: 'GT', value: '0'}]}], limit: 1}
      expect((await call(emu, 'POST', '/crm/v3/objects/contacts/search', q)).body.total).toBe(30)
      expect((await call(small, 'POST', '/crm/v3/objects/contacts/search', q)).body.total).toBe(10)
    } finally {
      small.close()
    }
  })
})
