/**
 * Parity benchmark: a BENCH_CONTACTS-contact (default 1,000,000) dumpdata JSON array against a store
 * of the same contacts, both written directly (no HTTP). Prints the differ's records/s and peak RSS
 * beside a floor: the same comparison as one SQL EXCEPT query in SQLite over pre-loaded tables.
 * Prints; never asserts. Inputs are generated in a child process and cached in
 * .tmp/bench-parity-<N>/; the diff and the floor each run in their own child process.
 *
 * The cost of diagnosis is priced twice, each time as the same diff with diagnosis off
 * (`diagnose: false`, a benchmark-only option of runParityDiff) and on: on the shipped mapping,
 * where every difference is explained by the ledger (so diagnosis is normalizedEqual and the segment
 * populations), and on a stress mapping that compares contacts.last_name with the `firstname`
 * property, so nearly every contact has an unexplained difference no value pattern classifies and
 * enters a segment set (the worst case of the bounded segment counters). BENCH_PARITY_STRESS=0
 * skips the stress pair.
 */
import {spawnSync} from 'node:child_process'
import {createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import Database from 'better-sqlite3'
import {simulateLegacy} from '../parity/legacy-simulator.js'
import {runParityDiff} from '../parity/parity-diff.js'
import {dumpdataSource} from '../parity/readers/dumpdata.js'
import {SyntheticSource} from '../parity/synthetic-source.js'
import {envInt, printSideBySide, rssSampler, type Figures} from './measure.js'

const N = envInt('BENCH_CONTACTS', 1_000_000)
const root = join(process.cwd(), '.tmp', `bench-parity-${N}`)
const legacyPath = join(root, 'legacy.json')
const storePath = join(root, 'store.db')
const MAPPING = join(process.cwd(), 'fixtures', 'mappings', 'legacy-django.json')
const STRESS_MAPPING = join(root, 'mapping-stress.json')
const STRESS = process.env.BENCH_PARITY_STRESS !== '0'

/** The shipped mapping with contacts.last_name compared with `firstname`: every contact differs, unclassified. */
function writeStressMapping(): void {
  const m = JSON.parse(readFileSync(MAPPING, 'utf8')) as {entities: {contacts: {fields: Record<string, {property: string; normalize?: string[]}>}}}
  m.entities.contacts.fields.last_name = {property: 'firstname', normalize: []}
  writeFileSync(STRESS_MAPPING, JSON.stringify(m, null, 2))
}
const source = (): SyntheticSource => new SyntheticSource({contacts: N, deals: 0, appointments: 0, divisions: 0, seed: 1})

async function generate(): Promise<void> {
  rmSync(root, {recursive: true, force: true})
  mkdirSync(root, {recursive: true})
  await simulateLegacy({source: source(), legacy: {path: legacyPath, format: 'json'}, store: storePath, snapshotAt: '2026-01-01T00:00:00Z'})
}

/** The floor: legacy contacts loaded into a table, then one EXCEPT query against the store's rows. */
async function floor(): Promise<{seconds: number; loadSeconds: number; cpuSeconds: number; rows: number; peak: number}> {
  const file = join(root, 'floor.db')
  rmSync(file, {force: true})
  const db = new Database(file)
  db.pragma('journal_mode = OFF')
  db.exec('CREATE TABLE legacy (hubspot_id TEXT, email TEXT, first_name TEXT, last_name TEXT, phone TEXT, lifecycle_stage TEXT, hs_created_at TEXT, hs_updated_at TEXT)')
  const ins = db.prepare('INSERT INTO legacy VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const sampler = rssSampler()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const write = db.transaction((rows: Array<{fields: Record<string, unknown>}>) => {
    for (const {fields: f} of rows) ins.run(f.hubspot_id, f.email, f.first_name, f.last_name, f.phone, f.lifecycle_stage, f.hs_created_at, f.hs_updated_at)
  })
  for await (const batch of dumpdataSource(legacyPath).batches([])) write(batch)
  const t1 = performance.now()
  db.prepare('ATTACH DATABASE ? AS store').run(storePath)
  const sec = (c: string): string => `strftime('%Y-%m-%dT%H:%M:%SZ', json_extract(properties, '$.${c}'))`
  const rows = (
    db
      .prepare(
        `SELECT count(*) AS n FROM (
      SELECT hubspot_id, email, first_name, last_name, phone, lifecycle_stage, hs_created_at, hs_updated_at FROM legacy
      EXCEPT
      SELECT id, lower(trim(coalesce(json_extract(properties, '$.email'), ''))), substr(coalesce(json_extract(properties, '$.firstname'), ''), 1, 100),
        substr(coalesce(json_extract(properties, '$.lastname'), ''), 1, 100), coalesce(json_extract(properties, '$.phone'), ''),
        coalesce(json_extract(properties, '$.lifecyclestage'), ''), ${sec('createdate')}, ${sec('lastmodifieddate')}
      FROM store.obj_contacts WHERE archived = 0)`,
      )
      .get() as {n: number}
  ).n
  const t2 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  db.close()
  rmSync(file, {force: true})
  return {seconds: (t2 - t1) / 1000, loadSeconds: (t1 - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, rows, peak: sampler.stop()}
}

/** Peak RSS of this process in MB: the kernel's high-water mark (sees synchronous phases), else the sampler's. */
function peakMb(sampled: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    return m ? Math.max(Number(m[1]) / 1024, sampled) : sampled
  } catch {
    return sampled
  }
}

async function diffChild(diagnose: boolean, stress: boolean): Promise<void> {
  const sampler = rssSampler()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const {report} = await runParityDiff({legacy: legacyPath, mapping: stress ? STRESS_MAPPING : MAPPING, db: storePath, out: join(root, 'reports'), render: false, diagnose})
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const c = report.entities.find((e) => e.entity === 'contacts')!
  const base = diagnose ? 'crmsync parity diff with diagnosis (patterns, segments, normalizedEqual, root causes)' : 'crmsync parity diff, diagnosis off (stage + keyed merge + report)'
  const label = stress ? `stress (every contact differs): ${base}` : base
  const fig: Figures = {
    label,
    records: c.counts.legacyRows,
    seconds,
    peakRssMb: peakMb(sampler.stop()),
    extra: {'cpu s': ((cpu.user + cpu.system) / 1e6).toFixed(1), unexplained: report.totals.fieldMismatches, explained: report.totals.explained},
  }
  console.log(JSON.stringify(fig))
}

async function floorChild(): Promise<void> {
  const f = await floor()
  const fig: Figures = {
    label: 'floor: one SQL EXCEPT in SQLite (query only)',
    records: N,
    seconds: f.seconds,
    peakRssMb: peakMb(f.peak),
    extra: {'cpu s': `${f.cpuSeconds.toFixed(1)} (load + query)`, unexplained: f.rows, explained: '-', 'load s': f.loadSeconds.toFixed(1)},
  }
  console.log(JSON.stringify(fig))
}

/** Run this file in a child process with `mode`; returns the Figures it prints last. */
function child(mode: string): Figures {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), mode], {encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20})
  if (r.status !== 0) throw new Error(`${mode} failed with ${r.status}`)
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Figures
}

async function main(): Promise<void> {
  const mode = process.argv[2]
  if (mode === 'generate') return generate()
  if (mode === 'diff') return diffChild(true, false)
  if (mode === 'diff-plain') return diffChild(false, false)
  if (mode === 'diff-stress') return diffChild(true, true)
  if (mode === 'diff-stress-plain') return diffChild(false, true)
  if (mode === 'floor') return floorChild()
  if (!existsSync(legacyPath) || !existsSync(storePath)) {
    console.log(`generating ${N.toLocaleString('en-US')} contacts into ${root} (child process)...`)
    const g = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'generate'], {stdio: 'inherit', env: process.env})
    if (g.status !== 0) throw new Error('generation failed')
  }
  if (STRESS) writeStressMapping()
  // the inputs read once before the first row, so that no row pays for a cold page cache the next one does not
  for (const f of [legacyPath, storePath]) for await (const chunk of createReadStream(f, {highWaterMark: 1 << 20})) void chunk
  // each side in its own process, so that each peak RSS is its own
  const rows = [child('diff-plain'), child('diff'), ...(STRESS ? [child('diff-stress-plain'), child('diff-stress')] : []), child('floor')]
  printSideBySide(`parity: ${N.toLocaleString('en-US')}-contact dumpdata JSON array vs ${N.toLocaleString('en-US')}-contact store (peak RSS target ≤ 300 MB)`, rows)
  const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`
  const cpu = (f: Figures): number => Number.parseFloat(String(f.extra?.['cpu s'] ?? 'NaN'))
  const cost = (what: string, plain: Figures, diag: Figures): void =>
    console.log(
      `cost of diagnosis${what}: ${signed(((diag.seconds - plain.seconds) / plain.seconds) * 100, 1)}% wall time, ${signed(((cpu(diag) - cpu(plain)) / cpu(plain)) * 100, 1)}% CPU time, ${signed(diag.peakRssMb - plain.peakRssMb, 0)} MB peak RSS (target: at most +30% and +50 MB)`,
    )
  cost('', rows[0], rows[1])
  if (STRESS) cost(' (stress: every contact differs in last_name, unclassified)', rows[2], rows[3])
  console.log('Each row ran in its own process; peak RSS is the kernel high-water mark (VmHWM). "cpu s" is CPU time (user + system): on a busy machine wall seconds overstate the cost.')
  console.log(
    '"load s" is the floor loading the JSON array into a table before its query. The EXCEPT floor only counts differing rows (null coalesced to ""): no classes, no per-field counts, no attribution, no ledger, no samples.',
  )
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
