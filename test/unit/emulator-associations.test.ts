import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LIMITS} from '../../src/connectors/hubspot/objects.js'
import type {InProcessEmulator} from '../../src/emulator/index.js'
import {call, emulator} from './emulator-fixture.js'

let emu: InProcessEmulator
beforeAll(async () => {
  emu = await emulator({associationPageSize: 2})
})
afterAll(() => emu.close())

const read = (from: string, to: string, inputs: unknown[]) => call(emu, 'POST', `/crm/v4/associations/${from}/${to}/batch/read`, {inputs})

describe('v4 association batch read', () => {
  it('returns HubSpot’s shape with a numeric toObjectId and every association type', async () => {
    const r = await read('contacts', 'deals', [{id: '2'}])
    expect(r.status).toBe(200)
    expect(r.body.status).toBe('COMPLETE')
    expect(r.body.results).toEqual([
      {
        from: {id: '2'},
        to: [
          {
            toObjectId: 101,
            associationTypes: [
              {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
              {category: 'USER_DEFINED', typeId: 5, label: 'Billing contact'},
            ],
          },
        ],
      },
    ])
  })

  it('pages per record with paging.next.after when a record has more than the page size', async () => {
    const got: number[] = []
    let after: string | undefined
    let pages = 0
    do {
      const r = await read('contacts', 'deals', [{id: '1', after}, {id: '2'}])
      const mine = r.body.results.find((x: {from: {id: string}}) => x.from.id === '1')
      got.push(...mine.to.map((t: {toObjectId: number}) => t.toObjectId))
      after = mine.paging?.next?.after
      const other = r.body.results.find((x: {from: {id: string}}) => x.from.id === '2')
      expect(other.paging).toBeUndefined()
      pages++
    } while (after)
    expect(got).toEqual([101, 102, 103, 104, 105])
    expect(pages).toBe(3)
  })

  it('answers inputs in their order, a repeated id once per input, pages and first pages mixed', async () => {
    const r = await read('contacts', 'deals', [{id: '2'}, {id: '1', after: '103'}, {id: '999999'}, {id: 'x'}, {id: '1'}, {id: '2'}])
    expect(r.status).toBe(207)
    expect(r.body.results.map((x: {from: {id: string}; to: Array<{toObjectId: string}>}) => [x.from.id, x.to.map((t) => t.toObjectId)])).toEqual([
      ['2', [101]],
      ['1', [103, 104]],
      ['1', [101, 102]],
      ['2', [101]],
    ])
    expect(r.body.errors.map((e: {context: {fromObjectId: string[]}}) => e.context.fromObjectId[0])).toEqual(['999999', 'x'])
  })

  it('serves the reverse direction with the inverse type id and label', async () => {
    const r = await read('deals', 'contacts', [{id: '101'}])
    const to = r.body.results[0].to
    expect(to.map((t: {toObjectId: number}) => t.toObjectId)).toEqual([1, 2])
    expect(to[1].associationTypes).toEqual([
      {category: 'HUBSPOT_DEFINED', typeId: 3, label: null},
      {category: 'USER_DEFINED', typeId: 6, label: 'Billed deal'},
    ])
  })

  it('works with object type ids and custom object names', async () => {
    const a = await read('0-1', 'p1_divisions', [{id: '3'}])
    expect(a.body.results[0].to[0].toObjectId).toBe(201)
    const b = await read('2-999', 'contacts', [{id: '201'}])
    expect(b.body.results[0].to[0]).toEqual({toObjectId: 3, associationTypes: [{category: 'USER_DEFINED', typeId: 41, label: null}]})
  })

  it('reports inputs without associations as 207 errors', async () => {
    const r = await read('contacts', 'deals', [{id: '1'}, {id: '20'}])
    expect(r.status).toBe(207)
    expect(r.body.results).toHaveLength(1)
    expect(r.body.numErrors).toBe(1)
    expect(r.body.errors[0]).toMatchObject({category: 'OBJECT_NOT_FOUND', context: {fromObjectId: ['20']}})
  })

  it('answers 400 above 1,000 inputs', async () => {
    const inputs = Array.from({length: LIMITS.associationsBatchMax + 1}, (_, i) => ({id: String(i + 1)}))
    const r = await read('contacts', 'deals', inputs)
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/at most 1000/)
    expect((await read('contacts', 'deals', inputs.slice(0, 1000))).status).toBe(207)
  })
})
