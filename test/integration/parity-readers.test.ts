import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DJANGO_MODELS, DJANGO_RELATIONS, type DjangoEntity} from '../../src/parity/legacy-django.js'
import {simulateLegacy, type SimulationResult} from '../../src/parity/legacy-simulator.js'
import {tableColumns} from '../../src/parity/legacy-writers.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {dumpdataSource} from '../../src/parity/readers/dumpdata.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {createSchema, dropSchemas, pgAvailable} from '../helpers/postgres.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const source = new SyntheticSource({contacts: 120, deals: 60, appointments: 40, divisions: 4, archivedEvery: 11, seed: 11})
const inject = {
  contacts: {legacy: {email: 2, hs_created_at: 1}, new: {phone: 1}, missingInLegacy: 1, duplicateKeys: 1},
  deals: {legacy: {amount: 1, close_date: 1}, edgesDropped: {contacts: 2}, edgesAdded: {contacts: 1}},
  appointments: {legacy: {ends_at: 1}},
}
let dir: string
let sims: Record<string, SimulationResult>
const schemas: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-readers-'))
  sims = {}
  for (const format of ['json', 'jsonl', 'json.gz', 'jsonl.gz', 'csv', 'sqlite'] as const) {
    // same source, same seed: every form holds the same rows; the store is written once
    sims[format] = await simulateLegacy({
      source,
      legacy: {path: join(dir, `legacy.${format}`), format},
      store: format === 'json' ? join(dir, 'store.db') : undefined,
      snapshotAt: '2025-12-31T00:00:00Z',
      inject,
      seed: 9,
    })
  }
})
afterAll(async () => {
  rmSync(dir, {recursive: true, force: true})
  await dropSchemas(schemas)
})

function counts(report: Awaited<ReturnType<typeof runParityDiff>>['report']) {
  return report.entities.map((e) => ({
    entity: e.entity,
    counts: e.counts,
    fields: e.fields.map((f) => [f.field, f.mismatched, f.explained]),
    relations: e.relations.map((r) => [r.relation, r.missingEdges, r.extraEdges]),
  }))
}

describe('every legacy reader yields the same comparison', () => {
  let reference: ReturnType<typeof counts>
  it('dumpdata JSON array is the reference and matches the simulator', async () => {
    const {report} = await runParityDiff({legacy: join(dir, 'legacy.json'), mapping: MAPPING, db: join(dir, 'store.db'), source, out: join(dir, 'r'), render: false})
    reference = counts(report)
    expect(report.entities.find((e) => e.entity === 'contacts')!.counts).toMatchObject(sims.json.entities.contacts.counts)
    expect(report.totals.fieldMismatches).toBe(2 + 1 + 1 + 1 + 1 + 2 + 1 + 1)
  })
  for (const format of ['jsonl', 'json.gz', 'jsonl.gz', 'csv', 'sqlite']) {
    it(`${format}`, async () => {
      const {report} = await runParityDiff({legacy: join(dir, `legacy.${format}`), mapping: MAPPING, db: join(dir, 'store.db'), source, out: join(dir, 'r'), render: false})
      expect(counts(report)).toEqual(reference)
    })
  }

  it('PostgreSQL (read-only transaction, cursor) from a schema the test creates', async (t) => {
    if (!(await pgAvailable())) return t.skip()
    const {schema, url} = await createSchema('parity', schemas, async (c) => {
      const types: Record<string, string> = {
        id: 'bigint PRIMARY KEY',
        hubspot_id: 'varchar(32) UNIQUE',
        is_active: 'boolean',
        amount: 'numeric(14,2)',
        close_date: 'date',
        last_synced_at: 'timestamptz',
      }
      for (const [e, m] of Object.entries(DJANGO_MODELS)) {
        const cols = tableColumns(e as DjangoEntity).map((col) => `"${col}" ${types[col] ?? (/_at$/.test(col) ? 'timestamptz' : /_id$/.test(col) ? 'bigint' : 'varchar(255)')}`)
        // no UNIQUE on hubspot_id: the injected duplicate key must load (a real defect a unique index would have stopped)
        await c.query(`CREATE TABLE ${m.table} (${cols.join(', ').replace(' UNIQUE', '')})`)
        for (const [f, t] of Object.entries(DJANGO_RELATIONS[e as DjangoEntity].m2m))
          await c.query(`CREATE TABLE ${m.table}_${f} (id serial PRIMARY KEY, ${e.slice(0, -1)}_id bigint, ${t.slice(0, -1)}_id bigint)`)
      }
      await c.query("SET TIME ZONE 'America/Chicago'")
      for await (const batch of dumpdataSource(join(dir, 'legacy.jsonl')).batches([])) {
        for (const r of batch) {
          const entity = Object.entries(DJANGO_MODELS).find(([, m]) => m.model === r.model)![0] as DjangoEntity
          const rel = DJANGO_RELATIONS[entity]
          const row: Record<string, unknown> = {id: r.pk}
          for (const [k, v] of Object.entries(r.fields)) if (!(k in rel.m2m)) row[k in rel.fk ? `${k}_id` : k] = v
          const cols = Object.keys(row)
          await c.query(`INSERT INTO ${DJANGO_MODELS[entity].table} (${cols.map((x) => `"${x}"`).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row))
          for (const [f, t] of Object.entries(rel.m2m))
            for (const target of r.fields[f] as number[])
              await c.query(`INSERT INTO ${DJANGO_MODELS[entity].table}_${f} (${entity.slice(0, -1)}_id, ${t.slice(0, -1)}_id) VALUES ($1, $2)`, [r.pk, target])
        }
      }
    })
    const {report} = await runParityDiff({legacy: url, mapping: MAPPING, db: join(dir, 'store.db'), source, out: join(dir, 'r'), render: false})
    expect(counts(report)).toEqual(reference)
    expect(report.inputs.legacy).toContain(`schema=${schema}`)
  })
})
