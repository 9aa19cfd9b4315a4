/**
 * The core knows no CRM's id format: a stream whose ids are 18-character Salesforce-style ids
 * (letters and digits, fixed length) syncs full and then incrementally through the same engine,
 * checkpoint and store, with the stream's own key reader. Before the core was made neutral, its
 * keyset reader accepted only digit ids, and such a stream ended every search page in a
 * cursor-loop error.
 */
import {describe, expect, it} from 'vitest'
import type {ObjectStreamDef} from '../../src/core/connector.js'
import {runStream} from '../../src/core/engine.js'
import {compareIds} from '../../src/core/ids.js'
import type {CrmRecord} from '../../src/core/records.js'
import {parseTimestamp} from '../../src/core/timestamps.js'
import {emptyStats} from '../../src/core/http-types.js'
import {openStore} from '../../src/store/open.js'
import {FakeObjectApi, rec} from '../conformance/fake-object-api.js'
import {dump, options, tempDb} from '../conformance/engine-harness.js'

const SF_ID = /^[0-9A-Za-z]{18}$/

function salesforceLikeStream(api: FakeObjectApi): ObjectStreamDef {
  return {
    kind: 'object',
    name: 'leads',
    entity: 'leads',
    primaryKey: 'id',
    replicationKey: api.modifiedProperty,
    properties: ['name', api.modifiedProperty],
    describe: async () => [{name: 'name', label: 'Name', type: 'string', fieldType: 'text'}],
    toRecord: (raw) => {
      const r = raw as CrmRecord
      if (typeof r.id !== 'string' || !SF_ID.test(r.id)) throw new Error(`bad id ${String(r.id)}`)
      return {id: r.id, properties: r.properties, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived}
    },
    keyOf: (raw) => {
      const r = raw as CrmRecord
      const ts = parseTimestamp(r.properties?.[api.modifiedProperty])
      return typeof r.id === 'string' && ts !== null ? {ts, id: r.id} : null
    },
    compareIds,
    mergedIds: () => [],
    maxListPage: 100,
    maxSearchPage: 2,
    api,
    stats: emptyStats(),
  }
}

const sfId = (n: number): string => `00Q5g00000${String(n).padStart(4, '0')}AbCD`.slice(0, 18)

describe('engine with non-digit ids', () => {
  it('runs a full then an incremental sync of 18-character ids, paging search by (modified, id)', async () => {
    const api = new FakeObjectApi()
    const t0 = Date.parse('2026-01-01T00:00:00Z')
    for (let i = 0; i < 7; i++) api.put(rec(sfId(i), t0 + (i % 2) * 1000))
    const db = tempDb()
    const store = openStore(db)
    try {
      await runStream(salesforceLikeStream(api), {store, opts: options({full: true})})
      // five changes, all at one instant: search must page through them by id with a page size of 2
      for (let i = 2; i < 7; i++) api.put(rec(sfId(i), t0 + 60_000, {}, {name: `changed ${i}`}))
      const result = await runStream(salesforceLikeStream(api), {store, opts: options()})
      expect(result.status).toBe('ok')
      expect(result.deadLetters).toBe(0)
    } finally {
      store.close()
    }
    const rows = dump(db, 'leads')
    expect(rows.map((r) => r.id)).toEqual([...Array(7).keys()].map(sfId))
    expect(rows.filter((r) => String(r.properties).includes('changed')).length).toBe(5)
  })
})
