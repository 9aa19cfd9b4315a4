import path from 'node:path'
import Database from 'better-sqlite3'
import {afterEach, describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/open.js'
import type {SqliteStore} from '../../src/store/sqlite-store.js'
import {prop, rec, tmpDir} from './store-helpers.js'

let store: SqliteStore | undefined
afterEach(() => {
  store?.close()
  store = undefined
})

function fresh(): {store: SqliteStore; file: string} {
  const file = path.join(tmpDir(), 'store.db')
  store = openStore(file)
  store.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('amount', 'number')]})
  return {store, file}
}

describe('applyRecords', () => {
  it('counts inserted, updated, unchanged and saves the checkpoint', () => {
    const {store} = fresh()
    const a = rec('1', {email: 'a@x.io', amount: '1.50'})
    const b = rec('2', {email: 'b@x.io', amount: null})
    expect(store.applyRecords('contacts', 'contacts', [a, b], {after: '2'})).toEqual({inserted: 2, updated: 0, unchanged: 0, deleted: 0})
    expect(store.getCheckpoint('contacts')).toEqual({after: '2'})
    const b2 = rec('2', {email: 'b2@x.io', amount: null}, {updatedAt: '2024-02-01T00:00:00.000Z'})
    // same properties in another key order are unchanged
    const aReordered = rec('1', {amount: '1.50', email: 'a@x.io'})
    expect(store.applyRecords('contacts', 'contacts', [aReordered, b2, rec('3', {email: null, amount: '7'})], null)).toEqual({
      inserted: 1,
      updated: 1,
      unchanged: 1,
      deleted: 0,
    })
    expect(store.getCheckpoint('contacts')).toEqual({after: '2'}) // null leaves it as is
    expect([...store.liveIds('contacts')]).toEqual(['1', '2', '3'])
    const row = store.db.prepare('SELECT p_email, p_amount, properties FROM obj_contacts WHERE id = ?').get('2') as Record<string, unknown>
    expect(row).toEqual({p_email: 'b2@x.io', p_amount: null, properties: '{"email":"b2@x.io","amount":null}'})
  })

  it('keeps archived records as tombstones, counted as deleted, and excludes them from liveIds', () => {
    const {store} = fresh()
    store.applyRecords('contacts', 'contacts', [rec('10', {email: 'x'}), rec('9', {email: 'y'})], null)
    const archived = rec('10', {email: 'x'}, {archived: true, archivedAt: '2024-03-01T00:00:00.000Z'})
    expect(store.applyRecords('contacts', 'contacts', [archived], null)).toMatchObject({deleted: 1, updated: 0})
    expect(store.applyRecords('contacts', 'contacts', [archived], null)).toMatchObject({deleted: 0, unchanged: 1})
    expect([...store.liveIds('contacts')]).toEqual(['9'])
    const row = store.db.prepare('SELECT archived, archived_at FROM obj_contacts WHERE id = ?').get('10')
    expect(row).toEqual({archived: 1, archived_at: '2024-03-01T00:00:00.000Z'})
    // a restored record becomes live again
    expect(store.applyRecords('contacts', 'contacts', [rec('10', {email: 'x'}, {updatedAt: '2024-04-01T00:00:00.000Z'})], null)).toMatchObject({updated: 1})
    expect([...store.liveIds('contacts')]).toEqual(['9', '10'])
  })

  it('drops the association edges from and to a record when it becomes a tombstone', () => {
    const {store} = fresh()
    store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {})], null)
    const types = [{category: 'HUBSPOT_DEFINED' as const, typeId: 1, label: null}]
    store.replaceAssociations(
      'a',
      'contacts',
      'deals',
      ['1', '2'],
      [
        {fromType: 'contacts', fromId: '1', toType: 'deals', toId: '7', types},
        {fromType: 'contacts', fromId: '2', toType: 'deals', toId: '7', types},
      ],
      null,
    )
    store.replaceAssociations(
      'b',
      'deals',
      'contacts',
      ['7'],
      [
        {fromType: 'deals', fromId: '7', toType: 'contacts', toId: '1', types},
        {fromType: 'deals', fromId: '7', toType: 'contacts', toId: '2', types},
      ],
      null,
    )
    store.applyRecords('contacts', 'contacts', [rec('1', {}, {archived: true, archivedAt: '2024-03-01T00:00:00.000Z'})], null)
    const edges = store.db.prepare('SELECT from_id, to_id FROM associations ORDER BY from_entity, from_id, to_id').all()
    expect(edges).toEqual([
      {from_id: '2', to_id: '7'},
      {from_id: '7', to_id: '2'},
    ])
  })

  it('orders ids numerically even past 2^53', () => {
    const {store} = fresh()
    const ids = ['100', '9', '18014398509481985', '18014398509481984', '10']
    store.applyRecords(
      'c',
      'contacts',
      ids.map((id) => rec(id, {})),
      null,
    )
    expect([...store.liveIds('contacts')]).toEqual(['9', '10', '100', '18014398509481984', '18014398509481985'])
  })

  it('rolls back records AND checkpoint when the transaction throws', () => {
    const {store, file} = fresh()
    store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'})], {after: '1'})
    const bad = rec('3', {email: 'c'})
    Object.defineProperty(bad, 'properties', {
      get() {
        throw new Error('boom in the middle of the page')
      },
    })
    expect(() => store.applyRecords('contacts', 'contacts', [rec('2', {email: 'b'}), bad], {after: '3'})).toThrow(/boom/)
    expect(store.getCheckpoint('contacts')).toEqual({after: '1'})
    expect([...store.liveIds('contacts')]).toEqual(['1'])
    // also as seen by another connection
    const other = new Database(file, {readonly: true})
    expect(other.prepare('SELECT COUNT(*) AS n FROM obj_contacts').get()).toEqual({n: 1})
    other.close()
  })

  it('marks merged losers, drops their edges and hides them from liveIds', () => {
    const {store} = fresh()
    store.ensureEntity({entity: 'deals', properties: []})
    store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {})], null)
    store.applyRecords('deals', 'deals', [rec('50', {})], null)
    const types = [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label: null}]
    store.replaceAssociations(
      'a',
      'contacts',
      'deals',
      ['1', '2'],
      [
        {fromType: 'contacts', fromId: '1', toType: 'deals', toId: '50', types},
        {fromType: 'contacts', fromId: '2', toType: 'deals', toId: '50', types},
      ],
      null,
    )
    store.replaceAssociations('a', 'deals', 'contacts', ['50'], [{fromType: 'deals', fromId: '50', toType: 'contacts', toId: '2', types}], null)
    expect(store.applyMerges('contacts', 'contacts', [{loserId: '2', survivorId: '1'}], {merged: true})).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 1})
    expect(store.applyMerges('contacts', 'contacts', [{loserId: '2', survivorId: '1'}], null)).toMatchObject({deleted: 0, unchanged: 1})
    expect([...store.liveIds('contacts')]).toEqual(['1'])
    expect(store.getCheckpoint('contacts')).toEqual({merged: true})
    const edges = store.db.prepare('SELECT from_id, to_id FROM associations ORDER BY from_id').all()
    expect(edges).toEqual([{from_id: '1', to_id: '50'}])
    expect(store.db.prepare(`SELECT merged_into FROM obj_contacts WHERE id = '2'`).get()).toEqual({merged_into: '1'})
  })

  it('never brings a merged-away id back from a stale search hit, even one it never held', () => {
    const {store} = fresh()
    store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {email: 'old'})], null)
    // merges are applied before the page's records; the page still carries the loser's stale version
    // a loser the store never held is remembered, but counts as no change (a first run reports no phantom rows)
    expect(
      store.applyMerges(
        'contacts',
        'contacts',
        [
          {loserId: '2', survivorId: '1'},
          {loserId: '3', survivorId: '1'},
        ],
        null,
      ),
    ).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 1})
    const stale = [rec('2', {email: 'old'}, {updatedAt: '2023-12-31T00:00:00.000Z'}), rec('3', {email: 'never seen'})]
    expect(store.applyRecords('contacts', 'contacts', stale, null)).toEqual({inserted: 0, updated: 0, unchanged: 2, deleted: 0})
    expect([...store.liveIds('contacts')]).toEqual(['1'])
    expect(store.db.prepare(`SELECT id, merged_into FROM obj_contacts WHERE merged_into IS NOT NULL ORDER BY id`).all()).toEqual([
      {id: '2', merged_into: '1'},
      {id: '3', merged_into: '1'},
    ])
  })
})

describe('replaceAssociations', () => {
  it('replaces the edges of the given from-ids only and counts changes', () => {
    const {store} = fresh()
    const t = (typeId: number, label: string | null = null, category: 'HUBSPOT_DEFINED' | 'USER_DEFINED' = 'HUBSPOT_DEFINED') => ({category, typeId, label})
    const first = store.replaceAssociations(
      's',
      'contacts',
      'deals',
      ['1', '2'],
      [
        {fromType: 'contacts', fromId: '1', toType: 'deals', toId: '10', types: [t(4), t(7, 'Champion', 'USER_DEFINED')]},
        {fromType: 'contacts', fromId: '2', toType: 'deals', toId: '11', types: [t(4)]},
      ],
      {n: 1},
    )
    expect(first).toEqual({inserted: 3, updated: 0, unchanged: 0, deleted: 0})
    const second = store.replaceAssociations(
      's',
      'contacts',
      'deals',
      ['1'],
      [
        {fromType: 'contacts', fromId: '1', toType: 'deals', toId: '10', types: [t(4), t(7, 'Decision maker', 'USER_DEFINED')]},
        {fromType: 'contacts', fromId: '1', toType: 'deals', toId: '12', types: [t(4)]},
      ],
      {n: 2},
    )
    expect(second).toEqual({inserted: 1, updated: 1, unchanged: 1, deleted: 0})
    const third = store.replaceAssociations('s', 'contacts', 'deals', ['1'], [], {n: 3})
    expect(third).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 3})
    expect(store.db.prepare('SELECT from_id, to_id, type_id FROM associations').all()).toEqual([{from_id: '2', to_id: '11', type_id: 4}])
    expect(store.getCheckpoint('s')).toEqual({n: 3})
  })
})

describe('first edge load without the to-side index', () => {
  const types = [{category: 'HUBSPOT_DEFINED' as const, typeId: 1, label: null}]
  const hasIndex = (s: SqliteStore) => Boolean(s.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'associations_to'`).get())
  const edge = (fromId: string, toId: string) => ({fromType: 'deals', fromId, toType: 'contacts', toId, types})

  it('drops the index while the edge table is empty, builds it at the end', () => {
    const {store} = fresh()
    store.beginEdgeLoad()
    expect(hasIndex(store)).toBe(false)
    store.replaceAssociations('a', 'deals', 'contacts', ['7'], [edge('7', '1')], null)
    store.endEdgeLoad()
    expect(hasIndex(store)).toBe(true)
    // a later load over a non-empty table keeps it
    store.beginEdgeLoad()
    expect(hasIndex(store)).toBe(true)
  })

  it('builds the index before a tombstone or a merge deletes edges, and deletes the edges to it', () => {
    const {store} = fresh()
    store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {}), rec('3', {})], null)
    store.beginEdgeLoad()
    store.replaceAssociations('a', 'deals', 'contacts', ['7', '8'], [edge('7', '1'), edge('8', '2'), edge('8', '3')], null)
    // a crash here leaves the index missing; the next object run tombstones a record
    store.applyRecords('contacts', 'contacts', [rec('1', {}, {archived: true})], null)
    expect(hasIndex(store)).toBe(true)
    store.db.exec('DROP INDEX associations_to')
    const other = openStore(store.path)
    try {
      other.applyMerges('contacts', 'contacts', [{loserId: '2', survivorId: '3'}], null)
      expect(hasIndex(other)).toBe(true)
    } finally {
      other.close()
    }
    expect(store.db.prepare('SELECT from_id, to_id FROM associations ORDER BY from_id, to_id').all()).toEqual([{from_id: '8', to_id: '3'}])
  })
})
