import {describe, expect, it} from 'vitest'
import {runStream} from '../../src/core/engine.js'
import {prefetched} from '../../src/core/prefetch.js'
import {openStore} from '../../src/store/open.js'
import {FakeObjectApi, rec} from '../conformance/fake-object-api.js'
import {dump, fakeStream, options, tempDb} from '../conformance/engine-harness.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')

async function sync(db: string, api: FakeObjectApi, opts = options()) {
  const store = openStore(db)
  try {
    return await runStream(fakeStream(api), {store, opts})
  } finally {
    store.close()
  }
}

function portal(n: number): FakeObjectApi {
  const api = new FakeObjectApi()
  for (let i = 1; i <= n; i++) api.put(rec(String(i), T0 + i * 1000))
  api.put(rec(String(n + 1), T0, {archived: true, archivedAt: '2026-01-02T00:00:00.000Z'}))
  return api
}

describe('engine: full then incremental', () => {
  it('first run is a full list sync with archived records kept as tombstones', async () => {
    const db = tempDb()
    const api = portal(250)
    const r = await sync(db, api)
    expect(r.counts.inserted + r.counts.deleted).toBe(251)
    expect(r.counts.inserted).toBe(250)
    expect(api.calls).toEqual({list: 3 + 1, search: 0})
    const rows = dump(db, 'things')
    expect(rows).toHaveLength(251)
    expect(rows.filter((x) => x.archived === 1).map((x) => x.id)).toEqual(['251'])
  })

  it('an incremental run catches creates, updates, archives and merges and equals a fresh full sync', async () => {
    const db = tempDb()
    const api = portal(300)
    await sync(db, api)
    const later = T0 + 10_000_000
    api.put(rec('5', later, {}, {name: 'changed'}))
    api.put(rec('400', later + 1))
    api.put(rec('7', later, {archived: true, archivedAt: new Date(later).toISOString()}))
    api.records.delete('8') // merged into 9
    api.put(rec('9', later + 2, {}, {hs_merged_object_ids: '8'}))
    const r = await sync(db, api, options({lookbackMs: 60_000}))
    expect(r.searchRequests).toBe(1)
    expect(r.counts.inserted).toBe(1)
    const fresh = tempDb()
    await sync(fresh, api)
    const live = (rows: Array<Record<string, unknown>>) => rows.filter((x) => x.merged_into === null)
    expect(live(dump(db, 'things'))).toEqual(live(dump(fresh, 'things')))
    expect(dump(db, 'things').find((x) => x.id === '8')?.merged_into).toBe('9')
  })

  it('pages past 12,000 records sharing one timestamp without looping or skipping, in ceil(n/200) searches', async () => {
    const db = tempDb()
    const api = portal(10)
    await sync(db, api)
    const bulk = T0 + 50_000_000
    for (let i = 1000; i < 13_000; i++) api.put(rec(String(i), bulk))
    const r = await sync(db, api)
    expect(r.counts.inserted).toBe(12_000)
    expect(r.searchRequests).toBe(Math.ceil(12_000 / 200) + 1)
    expect(dump(db, 'things')).toHaveLength(12_011)
  })

  it('a crash at any page then a rerun ends identical to an uninterrupted run', async () => {
    const reference = tempDb()
    const make = () => {
      const api = portal(230)
      return api
    }
    await sync(reference, make())
    for (const failAt of [1, 2, 3, 4]) {
      const db = tempDb()
      const api = make()
      api.failOnCall = failAt
      await expect(sync(db, api, options({batchSize: 100}))).rejects.toThrow(/injected/)
      api.failOnCall = null
      await sync(db, api, options({batchSize: 100}))
      expect(dump(db, 'things')).toEqual(dump(reference, 'things'))
    }
  })

  it('dead-letters a bad record and keeps the rest of the page', async () => {
    const db = tempDb()
    const api = portal(5)
    api.put({id: '3', properties: {name: {nested: true}}, createdAt: 'x', updatedAt: 'y', archived: false})
    const r = await sync(db, api)
    expect(r.deadLetters).toBe(1)
    expect(dump(db, 'things').map((x) => x.id)).toEqual(['1', '2', '4', '5', '6'])
    const store = openStore(db, {readonly: true})
    const dl = store.db.prepare('SELECT * FROM dead_letters').all() as Array<Record<string, unknown>>
    store.close()
    expect(dl).toHaveLength(1)
    expect(JSON.stringify(dl[0])).toContain('3')
  })

  it('uses --batch-size as the page size', async () => {
    const db = tempDb()
    const api = portal(20)
    await sync(db, api, options({batchSize: 7}))
    expect(api.calls.list).toBe(3 + 1)
  })
})

describe('prefetched', () => {
  it('requests item k+1 before item k is consumed, in order', async () => {
    const log: string[] = []
    async function* src() {
      for (let i = 0; i < 3; i++) {
        log.push(`fetch ${i}`)
        await new Promise((r) => setTimeout(r, 1))
        yield i
      }
    }
    for await (const v of prefetched(src())) log.push(`write ${v}`)
    expect(log).toEqual(['fetch 0', 'fetch 1', 'write 0', 'fetch 2', 'write 1', 'write 2'])
  })
})
