/**
 * The store port's meaning, once for every implementation (SQLite, PostgreSQL): the same cases run
 * over each factory through `openSyncStore` / `openStoreReader`, the way kysely runs its tests over
 * every dialect. CLI-level runs (full, incremental, dry run, export identity) are in store-sync.test.ts.
 */
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunRecord, StoreReader, SyncStore} from '../../src/core/store-port.js'
import {exportEntity} from '../../src/store/export.js'
import {openStoreReader} from '../../src/store/open.js'
import {openReadWriteStore, openSyncStore} from '../../src/store/sync-store.js'
import {prop, rec} from '../unit/store-helpers.js'
import {STORE_FACTORIES} from './store-factories.js'

const types = (typeId = 4, label: string | null = null, category: 'HUBSPOT_DEFINED' | 'USER_DEFINED' = 'HUBSPOT_DEFINED') => [{category, typeId, label}]
const edge = (fromType: string, fromId: string, toType: string, toId: string, t = types()) => ({fromType, fromId, toType, toId, types: t})

async function collect<T>(it: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

async function exported(reader: StoreReader, entity: string, format: 'ndjson' | 'csv' = 'ndjson'): Promise<string> {
  const sink = new PassThrough()
  let text = ''
  sink.on('data', (d) => (text += d))
  await exportEntity(reader, entity, format, sink)
  return text
}

for (const makeFactory of STORE_FACTORIES) {
  const factory = makeFactory()
  describe(`store port on ${factory.name}`, () => {
    let ok = false
    beforeAll(async () => {
      ok = await factory.available()
    })
    afterAll(() => factory.cleanup())

    /** A fresh store with contacts (email text, amount number) and deals. */
    async function fresh(): Promise<{store: SyncStore; location: string}> {
      const location = factory.location()
      const store = await openSyncStore(location, false)
      await store.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('amount', 'number')]})
      await store.ensureEntity({entity: 'deals', properties: []})
      return {store, location}
    }

    async function read<T>(location: string, fn: (r: StoreReader) => T | Promise<T>): Promise<T> {
      const r = await openStoreReader(location)
      try {
        return await fn(r)
      } finally {
        await r.close()
      }
    }

    it('counts inserted, updated, unchanged (key order ignored) and saves the checkpoint with the page', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        expect(await store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a@x.io', amount: '1.50'}), rec('2', {email: 'b@x.io', amount: null})], {after: '2'})).toEqual({
          inserted: 2,
          updated: 0,
          unchanged: 0,
          deleted: 0,
        })
        expect(await store.getCheckpoint('contacts')).toEqual({after: '2'})
        const page = [rec('1', {amount: '1.50', email: 'a@x.io'}), rec('2', {email: 'b2@x.io', amount: null}, {updatedAt: '2024-02-01T00:00:00.000Z'}), rec('3', {email: null, amount: '7'})]
        expect(await store.applyRecords('contacts', 'contacts', page, null)).toEqual({inserted: 1, updated: 1, unchanged: 1, deleted: 0})
        expect(await store.getCheckpoint('contacts')).toEqual({after: '2'}) // null leaves it as is
        expect(await collect(store.liveIds('contacts'))).toEqual(['1', '2', '3'])
        // an id twice in one page counts the way two pages would
        expect(await store.applyRecords('contacts', 'contacts', [rec('4', {email: 'd'}), rec('4', {email: 'd'}), rec('4', {email: 'e'})], null)).toEqual({
          inserted: 1,
          updated: 1,
          unchanged: 1,
          deleted: 0,
        })
      } finally {
        await store.close()
      }
      const lines = (await read(location, (r) => exported(r, 'contacts'))).trimEnd().split('\n')
      expect(lines[1]).toBe('{"id":"2","properties":{"email":"b2@x.io","amount":null},"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-02-01T00:00:00.000Z","archived":false}')
      expect(lines[3]).toContain('"properties":{"email":"e"}')
    })

    it('keeps tombstones (deleted), drops their edges both ways, revives a restored record', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('10', {email: 'x'}), rec('9', {email: 'y'})], null)
        await store.replaceAssociations('a', 'contacts', 'deals', ['10', '9'], [edge('contacts', '10', 'deals', '7'), edge('contacts', '9', 'deals', '7')], null)
        await store.replaceAssociations('b', 'deals', 'contacts', ['7'], [edge('deals', '7', 'contacts', '10'), edge('deals', '7', 'contacts', '9')], null)
        const archived = rec('10', {email: 'x'}, {archived: true, archivedAt: '2024-03-01T00:00:00.000Z'})
        expect(await store.applyRecords('contacts', 'contacts', [archived], null)).toMatchObject({deleted: 1, updated: 0})
        expect(await store.applyRecords('contacts', 'contacts', [{...archived, archivedAt: undefined}], null)).toMatchObject({deleted: 0, unchanged: 1}) // archivedAt kept
        expect(await collect(store.liveIds('contacts'))).toEqual(['9'])
        expect(await read(location, (r) => collect(r.associations()))).toEqual([
          {fromEntity: 'contacts', fromId: '9', toEntity: 'deals', toId: '7', typeId: 4, category: 'HUBSPOT_DEFINED', label: null},
          {fromEntity: 'deals', fromId: '7', toEntity: 'contacts', toId: '9', typeId: 4, category: 'HUBSPOT_DEFINED', label: null},
        ])
        expect((await read(location, (r) => exported(r, 'contacts'))).split('\n')[1]).toBe(
          '{"id":"10","properties":{"email":"x"},"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00.000Z","archived":true,"archivedAt":"2024-03-01T00:00:00.000Z"}',
        )
        expect(await store.applyRecords('contacts', 'contacts', [rec('10', {email: 'x'}, {updatedAt: '2024-04-01T00:00:00.000Z'})], null)).toMatchObject({updated: 1})
        expect(await collect(store.liveIds('contacts'))).toEqual(['9', '10'])
      } finally {
        await store.close()
      }
    })

    it('orders ids by length, then text (compareIds), past 2^53', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        const ids = ['100', '9', '18014398509481985', '18014398509481984', '10', '99']
        await store.applyRecords(
          'c',
          'contacts',
          ids.map((id) => rec(id, {})),
          null,
        )
        const want = ['9', '10', '99', '100', '18014398509481984', '18014398509481985']
        expect(await collect(store.liveIds('contacts'))).toEqual(want)
        expect((await read(location, (r) => collect(r.rawRecords('contacts')))).map((x) => x.id)).toEqual(want)
      } finally {
        await store.close()
      }
    })

    it('rolls back the records AND the checkpoint when a page throws', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'})], {after: '1'})
        await expect(async () => store.applyRecords('contacts', 'contacts', [rec('2', {email: 'b'}), {id: '', properties: {}} as never], {after: '3'})).rejects.toThrow(/malformed record/)
        expect(await store.getCheckpoint('contacts')).toEqual({after: '1'})
        expect(await read(location, async (r) => (await collect(r.rawRecords('contacts'))).map((x) => x.id))).toEqual(['1'])
      } finally {
        await store.close()
      }
    })

    it('marks merged losers (placeholders for unknown ids), drops their edges, never revives them', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {email: 'old'})], null)
        await store.replaceAssociations('a', 'contacts', 'deals', ['1', '2'], [edge('contacts', '1', 'deals', '50'), edge('contacts', '2', 'deals', '50')], null)
        await store.replaceAssociations('b', 'deals', 'contacts', ['50'], [edge('deals', '50', 'contacts', '2')], null)
        expect(
          await store.applyMerges(
            'contacts',
            'contacts',
            [
              {loserId: '2', survivorId: '1'},
              {loserId: '3', survivorId: '1'},
            ],
            {merged: true},
          ),
        ).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 1})
        expect(await store.applyMerges('contacts', 'contacts', [{loserId: '2', survivorId: '1'}], null)).toMatchObject({deleted: 0, unchanged: 1})
        expect(await store.getCheckpoint('contacts')).toEqual({merged: true})
        const stale = [rec('2', {email: 'old'}, {updatedAt: '2023-12-31T00:00:00.000Z'}), rec('3', {email: 'never seen'})]
        expect(await store.applyRecords('contacts', 'contacts', stale, null)).toEqual({inserted: 0, updated: 0, unchanged: 2, deleted: 0})
        expect(await collect(store.liveIds('contacts'))).toEqual(['1'])
        expect((await read(location, (r) => collect(r.associations()))).map((e) => [e.fromId, e.toId])).toEqual([['1', '50']])
        const status = await read(location, (r) => r.status())
        expect(status.streams.find((s) => s.stream === 'contacts')).toMatchObject({rows: 1, tombstones: 0, merged: 2})
      } finally {
        await store.close()
      }
    })

    it('a first load (insert-first) counts and writes like any page: a stored id, an id twice, tombstones with edges, merges with a loser twice', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        // edges to contacts the table does not hold yet (the associations of another entity)
        await store.replaceAssociations('a', 'deals', 'contacts', ['d1'], [edge('deals', 'd1', 'contacts', 'c2'), edge('deals', 'd1', 'contacts', 'c3')], null)
        // the first page of contacts: a tombstone whose edge exists
        const gone = rec('c2', {email: 'b'}, {archived: true, archivedAt: '2024-03-01T00:00:00.000Z'})
        expect(await store.applyRecords('contacts', 'contacts', [rec('c1', {email: 'a'}), gone], {page: 1})).toEqual({inserted: 1, updated: 0, unchanged: 0, deleted: 1})
        expect(await store.getCheckpoint('contacts')).toEqual({page: 1})
        expect((await read(location, (r) => collect(r.associations()))).map((e) => e.toId)).toEqual(['c3'])
        // a stored id among new ones: counted against the stored row, the checkpoint saved with it
        expect(await store.applyRecords('contacts', 'contacts', [rec('c1', {email: 'a'}), rec('c3', {email: 'c'})], {page: 2})).toEqual({inserted: 1, updated: 0, unchanged: 1, deleted: 0})
        expect(await store.getCheckpoint('contacts')).toEqual({page: 2})
        // new ids again, one of them twice
        expect(await store.applyRecords('contacts', 'contacts', [rec('c4', {email: 'd'}), rec('c4', {email: 'e'})], {page: 3})).toEqual({inserted: 1, updated: 1, unchanged: 0, deleted: 0})
        // a loser twice: applied in order; then distinct losers: held (changed, same survivor) and never held
        const twice = [
          {loserId: 'c4', survivorId: 'c1'},
          {loserId: 'c9', survivorId: 'c1'},
          {loserId: 'c4', survivorId: 'c3'},
        ]
        expect(await store.applyMerges('contacts', 'contacts', twice, {page: 4})).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 2})
        const distinct = [
          {loserId: 'c9', survivorId: 'c1'},
          {loserId: 'c3', survivorId: 'c1'},
          {loserId: 'c7', survivorId: 'c1'},
        ]
        expect(await store.applyMerges('contacts', 'contacts', distinct, {page: 5})).toEqual({inserted: 0, updated: 0, unchanged: 1, deleted: 1})
        expect(await store.getCheckpoint('contacts')).toEqual({page: 5})
        expect(await read(location, (r) => collect(r.mergedIds('contacts')))).toEqual([
          {id: 'c3', mergedInto: 'c1'},
          {id: 'c4', mergedInto: 'c3'},
          {id: 'c7', mergedInto: 'c1'},
          {id: 'c9', mergedInto: 'c1'},
        ])
        const at = {createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z'}
        expect(await read(location, (r) => exported(r, 'contacts'))).toBe(
          [
            JSON.stringify({id: 'c1', properties: {email: 'a'}, ...at, archived: false}),
            JSON.stringify({id: 'c2', properties: {email: 'b'}, ...at, archived: true, archivedAt: '2024-03-01T00:00:00.000Z'}),
          ].join('\n') + '\n',
        )
        expect(await read(location, (r) => collect(r.associations()))).toEqual([]) // c3's edge went with its merge
      } finally {
        await store.close()
      }
    })

    it('a first edge load (insert-first) falls back to replacing when a page holds stored edges', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        await store.beginEdgeLoad()
        expect(await store.replaceAssociations('s', 'contacts', 'deals', ['1', '2'], [edge('contacts', '1', 'deals', '10'), edge('contacts', '1', 'deals', '10')], {n: 1})).toEqual({
          inserted: 1,
          updated: 0,
          unchanged: 0,
          deleted: 0,
        })
        expect(await store.getCheckpoint('s')).toEqual({n: 1})
        // from-id 1 again (its edge to 10 replaced by one to 11), with a new from-id
        expect(await store.replaceAssociations('s', 'contacts', 'deals', ['1', '3'], [edge('contacts', '1', 'deals', '11'), edge('contacts', '3', 'deals', '10')], {n: 2})).toEqual({
          inserted: 2,
          updated: 0,
          unchanged: 0,
          deleted: 1,
        })
        // a page without edges still saves its checkpoint
        expect(await store.replaceAssociations('s', 'contacts', 'deals', ['4'], [], {n: 3})).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 0})
        await store.endEdgeLoad()
        expect(await store.getCheckpoint('s')).toEqual({n: 3})
        expect((await read(location, (r) => collect(r.associations()))).map((e) => [e.fromId, e.toId])).toEqual([
          ['1', '11'],
          ['3', '10'],
        ])
        // the to-side index is back: a tombstone drops an edge that points at it
        expect(await store.applyRecords('deals', 'deals', [rec('10', {}, {archived: true})], null)).toMatchObject({deleted: 1})
        expect((await read(location, (r) => collect(r.associations()))).map((e) => [e.fromId, e.toId])).toEqual([['1', '11']])
      } finally {
        await store.close()
      }
    })

    it('gives back its runs and dead letters in id order and takes them in as they were (store copy); later runs get new ids', async (t) => {
      if (!ok) return t.skip()
      const store = await openReadWriteStore(factory.location('hist'))
      try {
        const runs: RunRecord[] = [
          {
            id: 4,
            command: 'sync all',
            startedAt: '2026-01-01T00:00:00.000Z',
            finishedAt: '2026-01-01T00:01:00.500Z',
            status: 'ok',
            counts: {contacts: {inserted: 3, updated: 0, unchanged: 0, deleted: 1, mode: 'full'}},
            requests: 9,
            rateLimited: 1,
            retries: 2,
            errors: 1,
            dryRun: false,
            message: null,
          },
          {
            id: 7,
            command: 'sync contacts',
            startedAt: '2026-01-02T00:00:00.000Z',
            finishedAt: null,
            status: 'failed',
            counts: {},
            requests: 0,
            rateLimited: 0,
            retries: 0,
            errors: 0,
            dryRun: true,
            message: 'boom "quoted"',
          },
        ]
        const dead = [
          {id: 2, runId: 4, stream: 'contacts', recordId: '901', payload: JSON.stringify({id: '901', properties: {a: 'é'}}), reason: 'bad createdAt', createdAt: '2026-01-01T00:00:30.250Z'},
        ]
        await store.importHistory(runs, dead, 'copy:history', {runs: 7})
        expect(await store.getCheckpoint('copy:history')).toEqual({runs: 7})
        expect(await collect(store.runHistory())).toEqual(runs)
        expect(await collect(store.deadLetterHistory())).toEqual(dead)
        const next = await store.startRun('sync all', false)
        expect(next).toBeGreaterThan(7)
        await store.addDeadLetter({stream: 'deals', recordId: null, payload: undefined, reason: 'later'})
        const after = await collect(store.deadLetterHistory())
        expect(after.map((d) => [d.runId, d.stream])).toEqual([
          [4, 'contacts'],
          [next, 'deals'],
        ])
        expect(after[1].id).toBeGreaterThan(2)
      } finally {
        await store.close()
      }
    })

    it('replaces the edges of the given from-ids only and counts inserted, updated (label), unchanged, deleted', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        const first = await store.replaceAssociations(
          's',
          'contacts',
          'deals',
          ['1', '2'],
          [edge('contacts', '1', 'deals', '10', [...types(4), ...types(7, 'Champion', 'USER_DEFINED')]), edge('contacts', '2', 'deals', '11')],
          {n: 1},
        )
        expect(first).toEqual({inserted: 3, updated: 0, unchanged: 0, deleted: 0})
        const second = await store.replaceAssociations(
          's',
          'contacts',
          'deals',
          ['1'],
          [edge('contacts', '1', 'deals', '10', [...types(4), ...types(7, 'Decision maker', 'USER_DEFINED')]), edge('contacts', '1', 'deals', '12')],
          {n: 2},
        )
        expect(second).toEqual({inserted: 1, updated: 1, unchanged: 1, deleted: 0})
        expect((await read(location, (r) => exported(r, 'associations'))).split('\n')[1]).toBe(
          '{"fromEntity":"contacts","fromId":"1","toEntity":"deals","toId":"10","typeId":7,"category":"USER_DEFINED","label":"Decision maker"}',
        )
        expect(await store.replaceAssociations('s', 'contacts', 'deals', ['1'], [], {n: 3})).toEqual({inserted: 0, updated: 0, unchanged: 0, deleted: 3})
        expect((await read(location, (r) => collect(r.associations()))).map((e) => [e.fromId, e.toId, e.typeId])).toEqual([['2', '11', 4]])
        expect(await store.getCheckpoint('s')).toEqual({n: 3})
      } finally {
        await store.close()
      }
    })

    it('records runs and dead letters; status counts them per stream', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      try {
        const run = await store.startRun('sync all', false)
        await store.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {}, {archived: true})], {c: 1})
        await store.addDeadLetter({stream: 'contacts', recordId: '5', payload: {id: '5', bad: 'nul \u0000 inside'}, reason: 'no properties'})
        await store.finishRun(run, {status: 'ok', counts: {contacts: {inserted: 1, updated: 0, unchanged: 0, deleted: 1}}, requests: 3})
      } finally {
        await store.close()
      }
      const status = await read(location, (r) => r.status())
      expect(status.totals).toEqual({records: 1, tombstones: 1, associations: 0, deadLetters: 1})
      expect(status.lastRun).toMatchObject({command: 'sync all', status: 'ok', requests: 3, dryRun: false, counts: {contacts: {inserted: 1, deleted: 1}}})
      expect(status.lastRun!.finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      expect(status.streams.find((s) => s.stream === 'contacts')).toMatchObject({cursor: {c: 1}, rows: 1, tombstones: 1, deadLetters: 1, lastRun: {status: 'ok'}})
    })

    it('keeps the raw properties byte for byte (NUL, lone surrogates, hostile keys) and adds typed columns for new properties', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      const odd = JSON.parse('{"__proto__":"p","constructor":"c","email":"nul\\u0000x","b":"\\ud800 lone","a":"1e3","Weird \\"name\\"":"w"}') as Record<string, string>
      try {
        await store.applyRecords('contacts', 'contacts', [rec('1', odd)], null)
        await store.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('amount', 'number'), prop('a', 'number'), prop('Weird "name"', 'string')]})
        expect(await store.applyRecords('contacts', 'contacts', [rec('1', odd)], null)).toMatchObject({unchanged: 1})
      } finally {
        await store.close()
      }
      await read(location, async (r) => {
        expect(await r.columns('contacts')).toEqual(['amount', 'email', 'Weird "name"', 'a']) // new ones in sorted name order
        expect(await r.propertyNames('contacts')).toEqual(['Weird "name"', '__proto__', 'a', 'amount', 'b', 'constructor', 'email'])
        expect((await exported(r, 'contacts')).trimEnd()).toBe(
          `{"id":"1","properties":${JSON.stringify(odd)},"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00.000Z","archived":false}`,
        )
        const [back] = await collect(r.records('contacts'))
        expect(back.properties).toEqual(odd)
        expect(Object.keys(back.properties)).toContain('__proto__')
      })
    })

    it('a dry run counts like a real run, sees its own writes, and leaves the store as it was', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      await store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'}), rec('2', {email: 'b'})], {after: '2'})
      await store.close()
      const before = await read(location, async (r) => [await exported(r, 'contacts'), await exported(r, 'associations'), JSON.stringify((await r.status()).streams)])
      const dry = await openSyncStore(location, true)
      try {
        await dry.startRun('sync all --dry-run', true)
        await dry.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('amount', 'number'), prop('phone')]})
        await dry.ensureEntity({entity: 'widgets', properties: [prop('size', 'number')]})
        expect(await dry.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'}), rec('2', {email: 'changed'}), rec('3', {}), rec('3', {email: 'again'})], {after: '3'})).toEqual({
          inserted: 1,
          updated: 2,
          unchanged: 1,
          deleted: 0,
        })
        expect(await dry.applyMerges('contacts', 'contacts', [{loserId: '1', survivorId: '2'}], {after: '3'})).toMatchObject({deleted: 1})
        expect(await dry.replaceAssociations('a', 'contacts', 'deals', ['2'], [edge('contacts', '2', 'deals', '9')], {n: 1})).toMatchObject({inserted: 1})
        await dry.addDeadLetter({stream: 'contacts', recordId: null, payload: null, reason: 'x'})
        expect(await dry.getCheckpoint('contacts')).toEqual({after: '3'})
        expect(await collect(dry.liveIds('contacts'))).toEqual(['2', '3'])
      } finally {
        await dry.close()
      }
      const after = await read(location, async (r) => [await exported(r, 'contacts'), await exported(r, 'associations'), JSON.stringify((await r.status()).streams)])
      expect(after).toEqual(before)
      expect(await read(location, (r) => r.entities())).toEqual(['contacts', 'deals'])
    })

    it('a dry run against a store that does not exist creates nothing', async (t) => {
      if (!ok) return t.skip()
      const location = factory.location('none')
      const dry = await openSyncStore(location, true)
      try {
        await dry.ensureEntity({entity: 'contacts', properties: []})
        expect(await dry.applyRecords('contacts', 'contacts', [rec('1', {})], {a: 1})).toMatchObject({inserted: 1})
      } finally {
        await dry.close()
      }
      await expect(openStoreReader(location)).rejects.toMatchObject({options: {code: 'STORE_MISSING'}})
    })

    it('refuses an unknown entity on read with the valid names', async (t) => {
      if (!ok) return t.skip()
      const {store, location} = await fresh()
      await store.close()
      await expect(read(location, (r) => exported(r, 'nope'))).rejects.toThrow(/unknown entity "nope".*valid: contacts, deals, associations/)
    })
  })
}
