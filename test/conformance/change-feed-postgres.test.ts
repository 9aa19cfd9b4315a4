/**
 * What only the PostgreSQL change feed has to get right: writers run concurrently, so a publish
 * must never save a cursor past a change still in flight; and a store created before migration 3
 * (with data) migrates, after which a first publish sees every row.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import pg from 'pg'
import type {ChangedRecordRow} from '../../src/core/store-port.js'
import {openPublishStore} from '../../src/store/open.js'
import {PG_SCHEMA_VERSION} from '../../src/store/postgres/migrations.js'
import {openSyncStore} from '../../src/store/sync-store.js'
import {prop, rec} from '../unit/store-helpers.js'
import {dropSchemas, PG_BASE, pgAvailable, storeUrl, uniqueSchema} from '../helpers/postgres.js'

const ok = await pgAvailable()
const schemas: string[] = []
afterAll(() => dropSchemas(schemas))

async function collect<T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** A connection of the test's own, on the store's schema. */
async function raw(schema: string): Promise<pg.Client> {
  const c = new pg.Client({connectionString: PG_BASE})
  await c.connect()
  await c.query(`SET search_path TO "${schema}"`)
  return c
}

const edge = (fromType: string, fromId: string, toType: string, toId: string) => ({fromType, fromId, toType, toId, types: [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label: null}]})

describe.skipIf(!ok)('PostgreSQL change feed', () => {
  let schema = ''
  beforeAll(() => {
    schema = uniqueSchema('feedpg')
    schemas.push(schema)
  })

  it('changeSeq stays below a writer in flight, so a publish cursor never skips a change that commits later with a lower sequence', async () => {
    const url = storeUrl(schema)
    const store = await openSyncStore(url, false)
    await store.ensureEntity({entity: 'contacts', properties: [prop('email')]})
    const feed = await openPublishStore(url)
    const writer = await raw(schema)
    try {
      // a sync transaction that has written but not committed (another stream, another process)
      await writer.query('BEGIN')
      await writer.query(`INSERT INTO obj_contacts (id, properties_text, properties) VALUES ('100', '{"email":"late"}', '{"email":"late"}')`)
      const inflight = Number((await writer.query<{x: string}>('SELECT pg_current_xact_id()::text AS x')).rows[0].x)
      // meanwhile a later transaction writes and commits
      await store.applyRecords('contacts', 'contacts', [rec('1', {email: 'early'})], null)
      const [one] = await collect(feed.changedRecords('contacts', -1))
      expect(one.seq).toBeGreaterThan(inflight) // it began later: a higher sequence, committed first
      // a publish now: the cursor it would save stays below the writer in flight
      const cursor = await feed.changeSeq()
      expect(cursor).toBeLessThan(inflight)
      await writer.query('COMMIT')
      // the next publish, reading "changed after cursor", sees the late commit (and the early one again)
      const next = (await collect<ChangedRecordRow>(feed.changedRecords('contacts', cursor))).map((r) => [r.id, r.seq])
      expect(next).toEqual([
        ['1', one.seq],
        ['100', inflight],
      ])
    } finally {
      await writer.end().catch(() => undefined)
      await feed.close()
      await store.close()
    }
  })

  it('concurrent writers and a publisher reading "changed after its cursor" in rounds: the publisher ends with every record as stored', async () => {
    const url = storeUrl(schema)
    const setup = await openSyncStore(url, false)
    await setup.ensureEntity({entity: 'people', properties: [prop('v')]})
    await setup.close()
    const writers = await Promise.all([0, 1, 2, 3].map(() => openSyncStore(url, false)))
    const feed = await openPublishStore(url)
    const mirror = new Map<string, string>()
    let cursor = -1
    let rounds = 0
    const round = async (): Promise<void> => {
      const mark = await feed.changeSeq()
      for await (const r of feed.changedRecords('people', cursor)) mirror.set(r.id, r.properties)
      cursor = mark
      rounds++
    }
    try {
      let done = false
      const writing = Promise.all(
        writers.map(async (w, k) => {
          for (let page = 0; page < 25; page++) {
            // half new ids (each write is the last of its rows: a missed one stays missed), half updates of rows other writers wrote
            const recs = Array.from({length: 20}, (_, i) => rec(i % 2 === 0 ? `${k}${page}${i}000` : String(((page * 7 + i * 3 + k) % 60) + 1), {v: `${k}-${page}-${i}`}))
            await w.applyRecords(`s${k}`, 'people', recs, {page}) // the checkpoint: one more statement between the write and its commit
          }
        }),
      ).finally(() => (done = true))
      while (!done) await round()
      await writing
      await round()
      const stored = new Map((await collect(feed.changedRecords('people', -1))).map((r) => [r.id, r.properties]))
      console.log(`concurrent feed: 4 writers x 25 pages, ${rounds} publisher rounds, ${stored.size} records`)
      expect(rounds).toBeGreaterThan(2)
      expect(Object.fromEntries(mirror)).toEqual(Object.fromEntries(stored))
    } finally {
      await feed.close()
      for (const w of writers) await w.close()
    }
  }, 60_000)

  it('a store of schema version 2 with data migrates: every row is a change for a first publish, later writes are stamped, removed edges leave tombstones', async () => {
    const s = uniqueSchema('feedmig')
    schemas.push(s)
    const url = storeUrl(s)
    const store = await openSyncStore(url, false)
    await store.ensureEntity({entity: 'contacts', properties: [prop('email')]})
    await store.ensureEntity({entity: 'deals', properties: []})
    await store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'}), rec('2', {email: 'b'}, {archived: true})], {after: '2'})
    await store.applyRecords('deals', 'deals', [rec('50', {})], null)
    await store.replaceAssociations('a', 'contacts', 'deals', ['1'], [edge('contacts', '1', 'deals', '50')], null)
    await store.close()
    // back to what migration 2 left: no seq columns, no tombstones, no cursors, no trigger
    const c = await raw(s)
    try {
      await c.query(`DROP TRIGGER associations_tombstones ON associations; DROP FUNCTION crmsync_edge_tombstones();
        DROP TABLE edge_tombstones, publish_cursors, tombstones_pruned, edge_writes; ALTER TABLE associations DROP COLUMN seq; ALTER TABLE obj_contacts DROP COLUMN seq; ALTER TABLE obj_deals DROP COLUMN seq;
        DELETE FROM schema_migrations WHERE version >= 3`)
    } finally {
      await c.end()
    }
    const feed = await openPublishStore(url) // migrates
    try {
      expect((await feed.status()).schemaVersion).toBe(PG_SCHEMA_VERSION)
      expect(await feed.publishCursor('target')).toBeNull() // so publish runs in full
      const rows = await collect(feed.changedRecords('contacts', -1))
      expect(rows.map((r) => [r.id, r.archived, r.seq])).toEqual([
        ['1', 0, 0],
        ['2', 1, 0],
      ])
      const again = await openSyncStore(url, false)
      try {
        await again.applyRecords('contacts', 'contacts', [rec('1', {email: 'a2'})], null)
        await again.replaceAssociations('a', 'contacts', 'deals', ['1'], [], null)
      } finally {
        await again.close()
      }
      expect((await collect(feed.changedRecords('contacts', 0))).map((r) => r.id)).toEqual(['1'])
      expect((await collect(feed.changedRecords('deals', 0, ['contacts']))).map((r) => r.id)).toEqual(['50']) // its edge's tombstone
      expect((await collect(feed.changedRecords('deals', 0))).map((r) => r.id)).toEqual([])
    } finally {
      await feed.close()
    }
  })

  it('publish from a missing PostgreSQL store is refused (exit 2) and creates nothing', async () => {
    const s = uniqueSchema('feednone')
    schemas.push(s)
    await expect(openPublishStore(storeUrl(s))).rejects.toMatchObject({options: {exit: 2, code: 'STORE_MISSING'}})
    const c = await raw(s)
    try {
      expect((await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [s])).rowCount).toBe(0)
    } finally {
      await c.end()
    }
  })
})
