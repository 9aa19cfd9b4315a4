/**
 * `npm run bench -- publish`: publish a store of N contacts (BENCH_PUBLISH_CONTACTS, else
 * BENCH_CONTACTS, default 200,000) plus N/10 deals, N/100 appointments, 20 divisions and their
 * edges into the reference Django schema in PostgreSQL (a fresh schema, dropped after), beside a
 * floor measured in the same run: one COPY per table of the same rows into empty tables; and, for
 * reference, the same COPYs into the Django tables with their keys and foreign keys.
 * The publish runs as the CLI (`node bin/run.js publish --json`) so its peak RSS is its own;
 * BENCH_PUBLISH_PROFILE=DIR writes its CPU profile there.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Readable} from 'node:stream'
import pg from 'pg'
import {from as copyFrom} from 'pg-copy-streams'
import {djangoDdl} from '../parity/legacy-ddl.js'
import {openStore} from '../store/open.js'
import {printSideBySide, type Figures} from './measure.js'

const N = Number(process.env.BENCH_PUBLISH_CONTACTS ?? process.env.BENCH_CONTACTS ?? 200_000)
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const ROOT = resolve(import.meta.dirname, '../../..')
const iso = (i: number): string => new Date(Date.UTC(2025, 0, 1) + i * 1000 + 123).toISOString()

function buildStore(path: string): void {
  const store = openStore(path)
  for (const entity of ['divisions', 'contacts', 'deals', 'appointments']) store.ensureEntity({entity, properties: []})
  const put = (entity: string, n: number, props: (i: number) => Record<string, string | null>): void => {
    for (let i = 0; i < n; i += 2000) {
      const recs = []
      for (let j = i; j < Math.min(n, i + 2000); j++) recs.push({id: String(j + 1), properties: props(j), createdAt: iso(j), updatedAt: iso(j), archived: false})
      store.applyRecords(entity, entity, recs, null)
    }
  }
  put('divisions', 20, (i) => ({division_name: `Division ${i}`, division_code: `D${i}`, region: 'north', is_active: 'true'}))
  put('contacts', N, (i) => ({
    email: ` User${i}@Example.com`,
    firstname: `First${i}`,
    lastname: `Last${i}`,
    phone: `+1 555 ${String(i).padStart(7, '0')}`,
    lifecyclestage: 'lead',
    createdate: iso(i),
    lastmodifieddate: iso(i),
  }))
  put('deals', Math.ceil(N / 10), (i) => ({dealname: `Deal ${i}`, amount: String(i * 1.5), dealstage: 'open', pipeline: 'default', closedate: iso(i), createdate: iso(i), hs_lastmodifieddate: iso(i)}))
  put('appointments', Math.ceil(N / 100), (i) => ({hs_appointment_name: `Visit ${i}`, hs_appointment_status: 'scheduled', hs_createdate: iso(i), hs_lastmodifieddate: iso(i)}))
  const types = [{category: 'HUBSPOT_DEFINED', typeId: 1, label: null}]
  store.beginEdgeLoad()
  for (let i = 0; i < N; i += 2000) {
    const ids = []
    const rows = []
    for (let j = i; j < Math.min(N, i + 2000); j++) {
      ids.push(String(j + 1))
      rows.push({fromType: 'contacts', toType: 'divisions', fromId: String(j + 1), toId: String((j % 20) + 1), types})
    }
    store.replaceAssociations('a', 'contacts', 'divisions', ids, rows, null)
    // every contact on one deal: N contact→deal edges
    store.replaceAssociations(
      'a',
      'contacts',
      'deals',
      ids,
      ids.map((id) => ({fromType: 'contacts', toType: 'deals', fromId: id, toId: String((Number(id) % Math.ceil(N / 10)) + 1), types})),
      null,
    )
  }
  store.endEdgeLoad()
  store.close()
}

/**
 * The floor: one COPY per table of the same rows into empty tables without indexes or constraints.
 * `constrained`: the same COPYs into the Django tables themselves (unique keys, primary keys,
 * foreign keys) in a schema of their own: the best any writer can do into the application's schema.
 */
async function floor(schema: string, constrained = false): Promise<Figures> {
  const c = new pg.Client({connectionString: PG_URL})
  await c.connect()
  if (constrained) {
    await c.query(`CREATE SCHEMA "${schema}_c"`)
    await c.query(`SET search_path TO "${schema}_c"`)
    for (const s of djangoDdl('postgres')) await c.query(s)
  }
  const t0 = performance.now()
  let rows = 0
  const copy = async (table: string, cols: string[], n: number, line: (i: number) => string): Promise<void> => {
    let into = `"${schema}_c".${table}`
    if (!constrained) {
      into = `"${schema}".floor_${table}`
      await c.query(`CREATE TABLE ${into} (LIKE "${schema}".${table} INCLUDING DEFAULTS)`)
    }
    const stream = c.query(copyFrom(`COPY ${into} (${cols.join(', ')}) FROM STDIN WITH (FORMAT csv)`))
    await pipeline(
      Readable.from(
        (function* () {
          for (let i = 0; i < n; i += 1000) {
            let chunk = ''
            for (let j = i; j < Math.min(n, i + 1000); j++) chunk += line(j)
            yield chunk
          }
        })(),
      ),
      stream,
    )
    rows += n
  }
  const now = new Date().toISOString()
  if (constrained) await copy('crm_division', ['id', 'hubspot_id', 'name', 'code', 'region', 'last_synced_at'], 20, (i) => `${i + 1},${i + 1},Division ${i},D${i},north,${now}\n`)
  await copy(
    'crm_contact',
    ['id', 'hubspot_id', 'email', 'first_name', 'last_name', 'phone', 'lifecycle_stage', 'division_id', 'hs_created_at', 'hs_updated_at', 'last_synced_at'],
    N,
    (i) => `${i + 1},${i + 1},user${i}@example.com,First${i},Last${i},+1 555 ${String(i).padStart(7, '0')},lead,${(i % 20) + 1},${iso(i)},${iso(i)},${now}\n`,
  )
  const deals = Math.ceil(N / 10)
  await copy(
    'crm_deal',
    ['id', 'hubspot_id', 'name', 'amount', 'stage', 'pipeline', 'close_date', 'hs_created_at', 'hs_updated_at', 'last_synced_at'],
    deals,
    (i) => `${i + 1},${i + 1},Deal ${i},${(i * 1.5).toFixed(2)},open,default,${iso(i).slice(0, 10)},${iso(i)},${iso(i)},${now}\n`,
  )
  await copy('crm_deal_contacts', ['deal_id', 'contact_id'], N, (i) => `${((i + 1) % deals) + 1},${i + 1}\n`)
  const seconds = (performance.now() - t0) / 1000
  if (constrained) await c.query(`DROP SCHEMA "${schema}_c" CASCADE`)
  await c.end()
  const label = constrained ? 'for reference: the same COPYs into the Django tables (keys, FKs)' : 'floor: one COPY per table into empty tables'
  return {label, records: rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024}
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-publish-'))
  const schema = `crmsync_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({connectionString: PG_URL})
  await admin.connect()
  try {
    const t0 = performance.now()
    buildStore(join(dir, 'store.db'))
    console.log(`store of ${N.toLocaleString('en-US')} contacts built in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    await admin.query(`CREATE SCHEMA "${schema}"`)
    await admin.query(`SET search_path TO "${schema}"`)
    for (const s of djangoDdl('postgres')) await admin.query(s)
    const prof = process.env.BENCH_PUBLISH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PUBLISH_PROFILE}`] : []
    const out = execFileSync(
      process.execPath,
      [...prof, join(ROOT, 'bin/run.js'), 'publish', '--mapping', join(ROOT, 'fixtures/mappings/legacy-django.json'), '--db', join(dir, 'store.db'), '--to', PG_URL, '--schema', schema, '--json'],
      {maxBuffer: 64 * 1024 * 1024, env: {...process.env, CRMSYNC_PUBLISH_BATCH_DELAY_MS: ''}},
    )
    const r = JSON.parse(out.toString()) as {rowsWritten: number; seconds: number; peakRssMb: number}
    const pub: Figures = {label: 'crmsync publish (full, into the Django schema)', records: r.rowsWritten, seconds: r.seconds, peakRssMb: r.peakRssMb}
    const fl = await floor(schema)
    const keyed = await floor(schema, true)
    printSideBySide(`publish ${N.toLocaleString('en-US')} contacts (+ related rows) into PostgreSQL`, [pub, fl, keyed])
    const rate = (f: Figures): number => f.records / f.seconds
    console.log(`publish rate / floor rate: ${(rate(pub) / rate(fl)).toFixed(2)} (target >= 0.33); publish peak RSS ${pub.peakRssMb} MB (target <= 200)`)
    console.log(`publish rate / rate of the COPYs into the Django tables: ${(rate(pub) / rate(keyed)).toFixed(2)}`)
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}_c" CASCADE`).catch(() => undefined)
    await admin.end()
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
