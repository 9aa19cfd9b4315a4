/**
 * The PostgreSQL store's one-statement fast paths (insert-first on a first load, merges) check that
 * none of a page's ids is stored, then insert. A concurrent writer of the same store (another
 * process, another stream) can insert one of those ids between the check and the insert: the
 * INSERT then waits for it and hits the unique key. The page must still be written, by the
 * looked-up path, not fail.
 */
import pg from 'pg'
import {afterAll, describe, expect, it} from 'vitest'
import {openStoreReader} from '../../src/store/open.js'
import {openSyncStore} from '../../src/store/sync-store.js'
import {prop, rec} from '../unit/store-helpers.js'
import {dropSchemas, PG_BASE, pgAvailable, storeUrl, uniqueSchema} from '../helpers/postgres.js'

const ok = await pgAvailable()
const schemas: string[] = []
afterAll(() => dropSchemas(schemas))

describe.skipIf(!ok)('PostgreSQL store: a fast path that loses a race to another writer', () => {
  it('writes an insert-first page whose id another transaction inserted after the check (unique violation), through the looked-up path', async () => {
    const schema = uniqueSchema('race')
    schemas.push(schema)
    const url = storeUrl(schema)
    const store = await openSyncStore(url, false)
    await store.ensureEntity({entity: 'people', properties: [prop('v')]})
    await store.applyRecords('s', 'people', [], null) // the table is loaded while empty: insert-first
    const other = new pg.Client({connectionString: PG_BASE})
    await other.connect()
    try {
      await other.query(`SET search_path TO "${schema}"`)
      await other.query('BEGIN')
      await other.query(`INSERT INTO obj_people (id, properties_text, properties) VALUES ('7', '{"v":"other"}', '{"v":"other"}')`)
      // the page's check cannot see the uncommitted row; its INSERT waits for it, then collides
      const page = store.applyRecords('s', 'people', [rec('7', {v: 'mine'}), rec('8', {v: 'mine'})], {page: 1})
      await new Promise((r) => setTimeout(r, 300))
      await other.query('COMMIT')
      const counts = await page
      expect(counts).toMatchObject({inserted: 1, updated: 1})
    } finally {
      await other.end()
      await store.close()
    }
    const reader = await openStoreReader(url)
    try {
      const rows: Array<[string, string]> = []
      for await (const r of reader.rawRecords('people')) rows.push([r.id, r.properties])
      expect(rows).toEqual([
        ['7', '{"v":"mine"}'],
        ['8', '{"v":"mine"}'],
      ])
    } finally {
      await reader.close()
    }
  })
})
