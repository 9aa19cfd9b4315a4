/**
 * The change feed (ChangeFeed + PublishCursors: what `crmsync publish` reads), once for every store
 * implementation. Sequences are compared with the sequences of rows written before or after, never
 * with fixed numbers: SQLite counts 1, 2, 3..., PostgreSQL stamps transaction ids. PostgreSQL-only
 * cases (a writer in flight, migrating a schema-2 store with data) are in change-feed-postgres.test.ts.
 */
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ChangedRecordRow, ChangeFeed, PublishCursors, StoreReader, SyncStore} from '../../src/core/store-port.js'
import {openPublishStore} from '../../src/store/open.js'
import {openSyncStore} from '../../src/store/sync-store.js'
import {prop, rec} from '../unit/store-helpers.js'
import {withPg} from '../helpers/postgres.js'
import {STORE_FACTORIES} from './store-factories.js'

type Feed = StoreReader & ChangeFeed & PublishCursors

const edge = (fromType: string, fromId: string, toType: string, toId: string, label: string | null = null) => ({
  fromType,
  fromId,
  toType,
  toId,
  types: [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label}],
})

async function collect<T>(it: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

for (const makeFactory of STORE_FACTORIES) {
  const factory = makeFactory()
  describe(`change feed on ${factory.name}`, () => {
    let ok = false
    beforeAll(async () => {
      ok = await factory.available()
    })
    afterAll(() => factory.cleanup())

    /** A store with contacts, deals and a `marks` entity, its write side and its feed. */
    async function fresh(): Promise<{store: SyncStore; feed: Feed; location: string; close(): Promise<void>}> {
      const location = factory.location('feed')
      const store = await openSyncStore(location, false)
      await store.ensureEntity({entity: 'contacts', properties: [prop('email')]})
      await store.ensureEntity({entity: 'deals', properties: []})
      await store.ensureEntity({entity: 'marks', properties: []})
      const feed = await openPublishStore(location)
      return {
        store,
        feed,
        location,
        close: async () => {
          await feed.close()
          await store.close()
        },
      }
    }

    const changed = async (feed: Feed, entity: string, since: number, edgesWith?: string[]): Promise<ChangedRecordRow[]> => collect(feed.changedRecords(entity, since, edgesWith))
    const ids = async (feed: Feed, entity: string, since: number, edgesWith?: string[]): Promise<string[]> => (await changed(feed, entity, since, edgesWith)).map((r) => r.id)
    let marks = 0
    /** The sequence of a write committed after every write before it: everything earlier has a sequence at or below it. */
    async function stamp(store: SyncStore, feed: Feed): Promise<number> {
      const id = String(++marks)
      await store.applyRecords('marks', 'marks', [rec(id, {n: id})], null)
      return (await changed(feed, 'marks', -1)).find((r) => r.id === id)!.seq
    }

    it('stamps inserted and updated records, never an unchanged one; -1 lists every row in id order', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('10', {email: 'a'}), rec('9', {email: 'b'}), rec('11', {email: 'c'})], null)
        const all = await changed(feed, 'contacts', -1)
        expect(all.map((r) => r.id)).toEqual(['9', '10', '11'])
        expect(all[0]).toMatchObject({id: '9', archived: 0, merged_into: null, created_at: '2024-01-01T00:00:00.000Z', properties: '{"email":"b"}'})
        const s0 = await stamp(store, feed)
        for (const r of all) expect(r.seq).toBeLessThan(s0)
        // the same page again: nothing changed, nothing is stamped
        await store.applyRecords('contacts', 'contacts', [rec('10', {email: 'a'}), rec('9', {email: 'b'}), rec('11', {email: 'c'})], null)
        expect(await ids(feed, 'contacts', s0)).toEqual([])
        // one update, one insert: exactly those, stamped above s0
        await store.applyRecords('contacts', 'contacts', [rec('10', {email: 'a2'}), rec('11', {email: 'c'}), rec('12', {email: 'd'})], null)
        const after = await changed(feed, 'contacts', s0)
        expect(after.map((r) => r.id)).toEqual(['10', '12'])
        expect(after[0].properties).toBe('{"email":"a2"}')
        for (const r of after) expect(r.seq).toBeGreaterThan(s0)
        expect(await ids(feed, 'deals', s0)).toEqual([])
      } finally {
        await close()
      }
    })

    it('tombstones and merged-away losers are changes; their removed edges mark the other side', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {}), rec('3', {})], null)
        await store.applyRecords('deals', 'deals', [rec('50', {}), rec('51', {})], null)
        await store.replaceAssociations('a', 'contacts', 'deals', ['1', '2', '3'], [edge('contacts', '2', 'deals', '50'), edge('contacts', '3', 'deals', '51')], null)
        const s0 = await stamp(store, feed)
        await store.applyRecords('contacts', 'contacts', [rec('2', {}, {archived: true, archivedAt: '2024-03-01T00:00:00.000Z'})], null)
        await store.applyMerges('contacts', 'contacts', [{loserId: '3', survivorId: '1'}], null)
        const rows = await changed(feed, 'contacts', s0)
        expect(rows.map((r) => [r.id, r.archived, r.merged_into])).toEqual([
          ['2', 1, null],
          ['3', 0, '1'],
        ])
        // the deals lost their edges (tombstones): changed with edgesWith contacts, not without
        expect(await ids(feed, 'deals', s0)).toEqual([])
        expect(await ids(feed, 'deals', s0, ['contacts'])).toEqual(['50', '51'])
        expect(await ids(feed, 'deals', s0, ['divisions'])).toEqual([])
        expect((await feed.relatedIds('deals', ['50', '51'], 'contacts')).get('50')).toEqual([])
        // a merge placeholder for an id never held is a row too (so publish deletes a stale target row)
        const s1 = await stamp(store, feed)
        await store.applyMerges('contacts', 'contacts', [{loserId: '77', survivorId: '1'}], null)
        expect((await changed(feed, 'contacts', s1)).map((r) => [r.id, r.merged_into])).toEqual([['77', '1']])
        // the same merge again changes nothing
        const s2 = await stamp(store, feed)
        await store.applyMerges('contacts', 'contacts', [{loserId: '77', survivorId: '1'}], null)
        expect(await ids(feed, 'contacts', s2, ['deals'])).toEqual([])
      } finally {
        await close()
      }
    })

    it('an inserted, relabelled or removed edge marks both ends for the entities named in edgesWith', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {})], null)
        await store.applyRecords('deals', 'deals', [rec('50', {}), rec('51', {})], null)
        const steps: Array<[string, () => unknown, string[], string[]]> = [
          ['insert', () => store.replaceAssociations('a', 'contacts', 'deals', ['1'], [edge('contacts', '1', 'deals', '50')], null), ['1'], ['50']],
          ['unchanged', () => store.replaceAssociations('a', 'contacts', 'deals', ['1'], [edge('contacts', '1', 'deals', '50')], null), [], []],
          ['relabel', () => store.replaceAssociations('a', 'contacts', 'deals', ['1'], [edge('contacts', '1', 'deals', '50', 'Buyer')], null), ['1'], ['50']],
          // written from the deals side: the to-ends are contacts
          ['insert from the other side', () => store.replaceAssociations('b', 'deals', 'contacts', ['51'], [edge('deals', '51', 'contacts', '2')], null), ['2'], ['51']],
          ['remove', () => store.replaceAssociations('a', 'contacts', 'deals', ['1'], [], null), ['1'], ['50']],
        ]
        for (const [what, write, contacts, deals] of steps) {
          const s = await stamp(store, feed)
          await write()
          expect(await ids(feed, 'contacts', s, ['deals']), what).toEqual(contacts)
          expect(await ids(feed, 'deals', s, ['contacts']), what).toEqual(deals)
          expect(await ids(feed, 'contacts', s), `${what}: without edgesWith`).toEqual([])
          expect(await ids(feed, 'contacts', s, ['marks']), `${what}: other entities`).toEqual([])
        }
      } finally {
        await close()
      }
    })

    it('relatedIds: both directions, once per pair, sorted in id order; ids without edges get []', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close} = await fresh()
      try {
        await store.replaceAssociations(
          'a',
          'contacts',
          'deals',
          ['10', '9'],
          [edge('contacts', '10', 'deals', '50'), edge('contacts', '9', 'deals', '50'), edge('contacts', '9', 'deals', '100')],
          null,
        )
        await store.replaceAssociations('b', 'deals', 'contacts', ['50'], [edge('deals', '50', 'contacts', '9'), edge('deals', '50', 'contacts', '8')], null)
        const byDeal = await feed.relatedIds('deals', ['50', '100', '404'], 'contacts')
        expect(Object.fromEntries(byDeal)).toEqual({'50': ['8', '9', '10'], '100': ['9'], '404': []})
        expect(Object.fromEntries(await feed.relatedIds('contacts', ['9'], 'deals'))).toEqual({'9': ['50', '100']})
        expect(Object.fromEntries(await feed.relatedIds('contacts', [], 'deals'))).toEqual({})
      } finally {
        await close()
      }
    })

    it('publish cursors per target; changeSeq never goes back and stays below a write begun after it', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close} = await fresh()
      try {
        expect(await feed.publishCursor('postgres://app@db/crm#public')).toBeNull()
        await feed.savePublishCursor('postgres://app@db/crm#public', 5)
        await feed.savePublishCursor('postgres://app@db/crm#shadow', 7)
        await feed.savePublishCursor('postgres://app@db/crm#public', 6)
        expect(await feed.publishCursor('postgres://app@db/crm#public')).toBe(6)
        expect(await feed.publishCursor('postgres://app@db/crm#shadow')).toBe(7)
        const a = await feed.changeSeq()
        expect(Number.isSafeInteger(a)).toBe(true)
        const s = await stamp(store, feed)
        expect(s).toBeGreaterThan(a)
        expect(await feed.changeSeq()).toBeGreaterThanOrEqual(a)
      } finally {
        await close()
      }
    })

    /** Edge tombstones in the store at `location`, counted on a connection of the test's own. */
    async function tombstones(location: string): Promise<number> {
      if (factory.name === 'sqlite') {
        const db = new Database(location, {readonly: true})
        try {
          return db.prepare('SELECT count(*) FROM edge_tombstones').pluck().get() as number
        } finally {
          db.close()
        }
      }
      const schema = new URL(location).searchParams.get('schema')!
      return withPg(async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".edge_tombstones`)).rows[0].n))
    }
    /** Wait until every transaction of the server older than `seq` has ended (PostgreSQL: other tests' transactions hold the mark back). */
    async function settled(feed: Feed, seq: number): Promise<void> {
      for (let i = 0; i < 600 && (await feed.changeSeq()) < seq; i++) await new Promise((r) => setTimeout(r, 50))
      expect(await feed.changeSeq()).toBeGreaterThanOrEqual(seq)
    }

    it('prunes edge tombstones once every publish cursor passed them, keeps them while one has not; a cursor below what was pruned reads as none', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close, location} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {}), rec('3', {})], null)
        await store.applyRecords('deals', 'deals', [rec('50', {}), rec('51', {})], null)
        await store.replaceAssociations(
          'a',
          'contacts',
          'deals',
          ['1', '2', '3'],
          [edge('contacts', '1', 'deals', '50'), edge('contacts', '2', 'deals', '51'), edge('contacts', '3', 'deals', '51')],
          null,
        )
        const s0 = await stamp(store, feed)
        await feed.savePublishCursor('target-a', s0)
        await feed.savePublishCursor('target-b', s0)
        await store.replaceAssociations('a', 'contacts', 'deals', ['1'], [], null) // 1-50 removed
        const s1 = await stamp(store, feed)
        await settled(feed, s1)
        expect(await tombstones(location)).toBe(1)
        // target a published through s1, target b not yet: b's next incremental publish still needs the tombstone
        await feed.savePublishCursor('target-a', s1)
        expect(await feed.pruneTombstones()).toBe(0)
        expect(await tombstones(location)).toBe(1)
        expect(await ids(feed, 'deals', s0, ['contacts'])).toEqual(['50'])
        // b published too: nobody reads it again
        await feed.savePublishCursor('target-b', s1)
        expect(await feed.pruneTombstones()).toBe(1)
        expect(await tombstones(location)).toBe(0)
        expect(await feed.publishCursor('target-a')).toBe(s1)
        expect(await feed.publishCursor('target-b')).toBe(s1)
        // a publish that began before the prune and saves an older cursor after it: no longer exact, so a full publish
        await feed.savePublishCursor('target-c', s0)
        expect(await feed.publishCursor('target-c')).toBeNull()
        // later removals are kept for the cursors before them
        await store.replaceAssociations('a', 'contacts', 'deals', ['2'], [], null) // 2-51 removed
        const s2 = await stamp(store, feed)
        await settled(feed, s2)
        expect(await feed.pruneTombstones()).toBe(0) // target-c's cursor s0 is the oldest
        expect(await ids(feed, 'deals', s1, ['contacts'])).toEqual(['51'])
        expect(await tombstones(location)).toBe(1)
      } finally {
        await close()
      }
    })

    it('a store without any publish cursor keeps no tombstone: a successful sync run prunes them at its end', async (t) => {
      if (!ok) return t.skip()
      const {store, feed, close, location} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {})], null)
        await store.applyRecords('deals', 'deals', [rec('50', {})], null)
        await store.replaceAssociations('a', 'contacts', 'deals', ['1', '2'], [edge('contacts', '1', 'deals', '50'), edge('contacts', '2', 'deals', '50')], null)
        await store.replaceAssociations('a', 'contacts', 'deals', ['1', '2'], [], null)
        const s = await stamp(store, feed)
        await settled(feed, s)
        expect(await tombstones(location)).toBe(2)
        const failed = await store.startRun('sync all', false)
        await store.finishRun(failed, {status: 'failed'})
        expect(await tombstones(location)).toBe(2) // only a successful run prunes
        const run = await store.startRun('sync all', false)
        await store.finishRun(run, {status: 'ok'})
        expect(await tombstones(location)).toBe(0)
      } finally {
        await close()
      }
    })

    it('refuses an unknown entity with the valid names', async (t) => {
      if (!ok) return t.skip()
      const {feed, close} = await fresh()
      try {
        await expect(collect(feed.changedRecords('nope', -1))).rejects.toThrow(/unknown entity "nope".*contacts, deals/)
      } finally {
        await close()
      }
    })
  })
}
