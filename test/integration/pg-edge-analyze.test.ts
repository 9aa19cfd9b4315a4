/**
 * `ANALYZE associations` on the PostgreSQL store runs only when the edge table changed
 * substantially (src/store/postgres/edge-stats.ts): a first load, not a small incremental run;
 * through the port, once the edges written since the last analyse pass a tenth of the table. Observed
 * in pg_stat_user_tables.analyze_count (manual ANALYZEs; the count is reported at once).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {openPostgresStore} from '../../src/store/postgres/open.js'
import {emulator, makePortal, runCli} from '../conformance/sync-harness.js'
import {dropSchemas, pgAvailable, storeUrl, uniqueSchema, withPg} from '../helpers/postgres.js'
import {storeIds} from '../helpers/publish-scenario.js'
import {rec} from '../unit/store-helpers.js'

const ok = await pgAvailable()
const schemas: string[] = []
const fresh = (tag: string): {schema: string; url: string} => {
  const schema = uniqueSchema(tag)
  schemas.push(schema)
  return {schema, url: storeUrl(schema)}
}
let emu: RunningEmulator | undefined
let clock = Date.now()
beforeAll(async () => {
  if (ok) emu = await emulator(await makePortal({contacts: 200, deals: 60, appointments: 30, divisions: 4, seed: 51}), {now: () => clock})
})
afterAll(async () => {
  await emu?.stop()
  await dropSchemas(schemas)
})

const analyses = (schema: string): Promise<number> =>
  withPg(async (c) => Number((await c.query(`SELECT analyze_count AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'associations'`, [schema])).rows[0].n))
const types = [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label: null}]

describe.skipIf(!ok)('ANALYZE of the PostgreSQL edge table', () => {
  it('a first sync analyses the edge table once; a small incremental sync does not', async () => {
    const {schema, url} = fresh('analyze')
    const sync = async () => {
      const r = await runCli(['sync', 'all', '--db', url, '--base-url', emu!.url, '--json'], {})
      expect(r.code, r.stderr).toBe(0)
    }
    await sync()
    expect(await analyses(schema)).toBe(1)
    const contacts = (await storeIds(url, 'contacts')).live
    const deals = (await storeIds(url, 'deals')).live
    clock += 60_000
    emu!.mutate([{kind: 'associate', fromEntity: 'contacts', fromId: contacts[3], toEntity: 'deals', toId: deals[5]}])
    clock += 10_000
    await sync()
    expect(await analyses(schema)).toBe(1)
  }, 120_000)

  it('edge loads analyse once the edges written since the last analyse, over several loads, pass a tenth of the table', async () => {
    const {schema, url} = fresh('analyze2')
    const store = await openPostgresStore(url)
    try {
      await store.ensureEntity({entity: 'contacts', properties: []})
      const ids = Array.from({length: 200}, (_, i) => String(i + 1))
      await store.applyRecords(
        'contacts',
        'contacts',
        ids.map((id) => rec(id, {})),
        null,
      )
      const load = async (from: string[], to: string) => {
        await store.beginEdgeLoad()
        await store.replaceAssociations(
          'associations',
          'contacts',
          'deals',
          from,
          from.map((fromId) => ({fromType: 'contacts', fromId, toType: 'deals', toId: to, types})),
          null,
        )
        await store.endEdgeLoad()
      }
      await load(ids, '1') // a first load: 200 edges
      expect(await analyses(schema)).toBe(1)
      // each later load replaces the edges of 5 contacts: 10 rows written, 5% of the table
      await load(ids.slice(0, 5), '2')
      expect(await analyses(schema)).toBe(1)
      await load(ids.slice(5, 10), '2') // 10% since the last analyse, over two loads
      expect(await analyses(schema)).toBe(1)
      await load(ids.slice(10, 15), '2') // 15%
      expect(await analyses(schema)).toBe(2)
      await load(ids.slice(15, 20), '2') // counted afresh from the analyse
      expect(await analyses(schema)).toBe(2)
    } finally {
      await store.close()
    }
  }, 60_000)
})
