/**
 * `npm run bench -- sync` (prints, never asserts). For BENCH_CONTACTS contacts (default 1,000,000)
 * plus related deals, appointments, divisions and associations served by the emulator without a
 * rate limit, side by side: `crmsync sync all` (child process) into a SQLite store and into a
 * PostgreSQL store (BENCH_PG URL, default the local `test` database; `none` skips it), a floor script and the naive
 * @hubspot/api-client getAll() approach — records/s and peak memory; then crmsync once more with the
 * heap a paced run gets (CRMSYNC_HEAP=small: unpaced runs get V8's defaults), and its peak memory at
 * a tenth of the size (the ratio shows whether memory is flat), and a rate-limited run (emulator at
 * 100 requests/10 s for BENCH_RATE_SECONDS, default 60) reporting the share of the allowed rate used.
 *
 * Fairness: the emulator runs in this process and warms up (JIT, first-touch costs) on its first
 * requests; so before EACH contestant the same short warm-up (`warmUp`: 20 list pages of every
 * object type and 2 association reads of every pair, untimed) is sent, and no contestant pays for
 * a cold emulator (before, crmsync always ran first, on a cold emulator). Each contestant gets the
 * same portal and the same emulator; records = the object records it fetched (the naive getAll()
 * does not read archived records, so its count is slightly lower; its records/s uses its own count).
 */
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {loadavg, tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {startEmulator, type RunningEmulator} from '../emulator/index.js'
import {ASSOCIATION_PAIRS, OBJECTS} from '../connectors/hubspot/objects.js'
import {generatePortal} from '../portal/generator.js'
import {envInt, type Figures, printSideBySide} from './measure.js'
import {randomBytes} from 'node:crypto'
import pg from 'pg'
import {redactUrl} from '../core/redact-url.js'
import {laneBench, printLanes} from './sync-lanes.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const TOKEN = 'bench-token'

interface ChildFigures {
  records: number
  seconds: number
  peakRssMb: number
  /** the machine's 1-minute load average when the contestant started (other work on the machine skews every figure) */
  load: number
  /** CPU seconds of the crmsync process and of the PostgreSQL backends serving it (null: not measured) */
  cpu?: {crmsync: number | null; server: number | null}
}

/** User + system CPU seconds of a live process (Linux /proc), or null where it cannot be read. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in USER_HZ ticks
  } catch {
    return null
  }
}

/**
 * CPU seconds used by the child and (when `pgApp` names the child's PGAPPNAME) by the PostgreSQL
 * backends serving it, sampled every 100 ms until the child exits (Linux only; the server must be
 * local). The store's work runs in those backends, so the child's CPU alone would flatter it.
 */
function cpuSampler(pid: number, pgApp: string | null): {stop(): Promise<{crmsync: number | null; server: number | null}>} {
  let child: number | null = null
  const backends = new Map<number, number>()
  let admin: pg.Client | null = null
  let busy = false
  if (pgApp) {
    admin = new pg.Client({connectionString: process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test', connectionTimeoutMillis: 5000})
    admin.connect().catch(() => (admin = null))
  }
  const sample = async (): Promise<void> => {
    if (busy) return
    busy = true
    try {
      child = cpuSeconds(pid) ?? child
      if (admin) for (const r of (await admin.query<{pid: number}>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [pgApp])).rows) backends.set(r.pid, 0)
      for (const b of backends.keys()) backends.set(b, cpuSeconds(b) ?? backends.get(b)!)
    } catch {
      // a sample lost: the next one counts
    } finally {
      busy = false
    }
  }
  const timer = setInterval(() => void sample(), 100)
  return {
    async stop() {
      clearInterval(timer)
      await admin?.end().catch(() => undefined)
      return {crmsync: child, server: pgApp ? [...backends.values()].reduce((a, b) => a + b, 0) : null}
    },
  }
}

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  cpu: {crmsync: number | null; server: number | null}
}

function run(args: string[], killAfterMs?: number, pgApp: string | null = null, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {cwd: root, env: {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, ...(pgApp ? {PGAPPNAME: pgApp} : {}), ...env}})
    const cpu = cpuSampler(child.pid!, pgApp)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = killAfterMs ? setTimeout(() => child.kill('SIGTERM'), killAfterMs) : null
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      void cpu.stop().then((c) => done({code, stdout, stderr, cpu: c}))
    })
  })
}

/**
 * The heap every paced run gets (src/cli/heap-mode.ts): the bench's runs are unpaced, which by
 * default get V8's defaults (faster, more memory), so the memory targets are measured with this.
 */
const PACED_HEAP = {CRMSYNC_HEAP: 'small'}

async function crmsync(url: string, db: string, pgApp: string | null = null, env: Record<string, string> = {}): Promise<ChildFigures> {
  const load = loadavg()[0]
  const r = await run([join(root, 'bin/run.js'), 'sync', 'all', '--db', db, '--base-url', url, '--json', '--rate-limit', 'none'], undefined, pgApp, env)
  if (r.code !== 0) throw new Error(`crmsync sync all failed (${r.code}): ${r.stderr.slice(0, 2000)}`)
  const s = JSON.parse(r.stdout) as {seconds: number; peakRssMb: number; streams: Array<{stream: string; fetched: number}>}
  return {records: s.streams.filter((x) => x.stream !== 'associations').reduce((a, x) => a + x.fetched, 0), seconds: s.seconds, peakRssMb: s.peakRssMb, load, cpu: r.cpu}
}

/**
 * `crmsync sync all` into a PostgreSQL store (BENCH_PG, default the local test database; `none`
 * skips it), in a schema of its own that is dropped afterwards. Null when the server does not answer.
 */
async function pgStore(url: string): Promise<ChildFigures | null> {
  const base = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
  if (base === 'none') return null
  const schema = `crmsync_bench_${process.pid}_${randomBytes(4).toString('hex')}`
  const client = new pg.Client({connectionString: base, connectionTimeoutMillis: 5000})
  try {
    await client.connect()
  } catch (err) {
    console.log(`PostgreSQL store skipped: ${redactUrl(base)} does not answer (${(err as Error).message}); set BENCH_PG`)
    return null
  }
  try {
    return await crmsync(url, `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`, schema)
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await client.end()
  }
}

async function script(name: string, url: string, db: string): Promise<ChildFigures> {
  const load = loadavg()[0]
  const r = await run([join(here, `${name}.js`), url, db])
  if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(0, 2000)}`)
  return {...(JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<ChildFigures, 'load'>), load}
}

/** The untimed warm-up sent to the emulator before each contestant (see the header). */
async function warmUp(url: string): Promise<void> {
  const headers = {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'}
  const get = async <T>(path: string): Promise<T> => (await (await fetch(url + path, {headers})).json()) as T
  const schemas = await get<{results: Array<{name: string; objectTypeId: string}>}>('/crm/v3/schemas')
  const types: Record<string, string> = {}
  const ids: Record<string, string[]> = {}
  for (const o of Object.values(OBJECTS)) {
    const type = o.objectTypeId ?? schemas.results.find((x) => x.name === o.pathSegment)?.objectTypeId ?? o.pathSegment
    types[o.entity] = type
    ids[o.entity] = []
    await get(`/crm/v3/properties/${type}`)
    let after: string | undefined
    for (let i = 0; i < 20; i++) {
      const page = await get<{results: Array<{id: string}>; paging?: {next?: {after?: string}}}>(
        `/crm/v3/objects/${type}?limit=100&archived=false&properties=${o.defaultProperties.join(',')}${after ? `&after=${after}` : ''}`,
      )
      ids[o.entity].push(...page.results.map((r) => r.id))
      after = page.paging?.next?.after
      if (!after) break
    }
  }
  for (const [from, to] of ASSOCIATION_PAIRS) {
    for (let i = 0; i < 2; i++) {
      const inputs = ids[from].slice(i * 1000, (i + 1) * 1000).map((id) => ({id}))
      if (inputs.length > 0) await (await fetch(`${url}/crm/v4/associations/${types[from]}/${types[to]}/batch/read`, {method: 'POST', headers, body: JSON.stringify({inputs})})).text()
    }
  }
}

async function portal(dir: string, contacts: number): Promise<string> {
  const out = join(dir, `portal-${contacts}`)
  const t = performance.now()
  await generatePortal({out, contacts, deals: Math.ceil(contacts / 4), appointments: Math.ceil(contacts / 5), divisions: 50, seed: 1})
  console.log(`generated ${contacts.toLocaleString('en-US')} contacts (+ deals, appointments, divisions, associations) in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  return out
}

const cpuText = (v: number | null | undefined): string => (v === null || v === undefined ? '' : v.toFixed(1))
const fig = (label: string, f: ChildFigures): Figures => ({
  label,
  records: f.records,
  seconds: f.seconds,
  peakRssMb: f.peakRssMb,
  extra: {'load at start': f.load.toFixed(2), 'crmsync CPU s': cpuText(f.cpu?.crmsync), 'PostgreSQL CPU s': cpuText(f.cpu?.server)},
})

/**
 * BENCH_SYNC_ONLY runs a part: `stores` only the SQLite and PostgreSQL store rows (no floor, naive,
 * memory ratio or rate-limited run); `memory` only crmsync into SQLite at BENCH_CONTACTS and at a
 * tenth of it, and the peak RSS line with its ratio; `lanes` only the lane comparison.
 */
type Part = 'all' | 'stores' | 'memory' | 'lanes'
function part(): Part {
  const v = process.env.BENCH_SYNC_ONLY
  if (v === undefined || v === '') return 'all'
  if (v !== 'stores' && v !== 'memory' && v !== 'lanes') throw new Error(`BENCH_SYNC_ONLY must be "stores", "memory" or "lanes", got ${v}`)
  return v
}

/** Issue 13's memory targets for a sync all: peak RSS at most 128 MB, and flat from a tenth of the portal to all of it. */
const PEAK_TARGET_MB = 128
const RATIO_TARGET = 1.1

/** The peak RSS line: both peaks, their ratio, and each against its target. */
function memoryLine(small: {contacts: number; peakRssMb: number}, big: {contacts: number; peakRssMb: number}): string {
  const ratio = big.peakRssMb / small.peakRssMb
  const peak = Math.max(small.peakRssMb, big.peakRssMb)
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met')
  return (
    `peak RSS of crmsync sync all: ${small.peakRssMb} MB at ${small.contacts.toLocaleString('en-US')} contacts, ${big.peakRssMb} MB at ${big.contacts.toLocaleString('en-US')}; ` +
    `ratio ${big.contacts.toLocaleString('en-US')} / ${small.contacts.toLocaleString('en-US')} = ${ratio.toFixed(2)} (target at most ${RATIO_TARGET}: ${met(ratio <= RATIO_TARGET)}); ` +
    `peak ${peak} MB (target at most ${PEAK_TARGET_MB} MB: ${met(peak <= PEAK_TARGET_MB)})`
  )
}

/** crmsync sync all into SQLite at a tenth of the portal (at least 1,000 contacts), against an emulator of its own. */
async function smallRun(dir: string, contacts: number): Promise<{contacts: number; peakRssMb: number}> {
  const smallN = Math.max(1000, Math.floor(contacts / 10))
  const small = await portal(dir, smallN)
  const emu = await startEmulator({portalDir: small, token: TOKEN, rateLimit: 'none'})
  try {
    await warmUp(emu.url)
    return {contacts: smallN, peakRssMb: (await crmsync(emu.url, join(dir, 'small.db'), null, PACED_HEAP)).peakRssMb}
  } finally {
    await emu.stop()
  }
}

async function main(): Promise<void> {
  const contacts = envInt('BENCH_CONTACTS', 1_000_000)
  const rateSeconds = envInt('BENCH_RATE_SECONDS', 60)
  const only = part()
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-sync-'))
  let emu: RunningEmulator | undefined
  if (only === 'lanes') {
    // just the lane comparison (src/bench/sync-lanes.ts), which the full bench prints last
    try {
      printLanes(await laneBench(root, dir, TOKEN))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
    return
  }
  try {
    const big = await portal(dir, contacts)
    emu = await startEmulator({portalDir: big, token: TOKEN, rateLimit: 'none'})
    await warmUp(emu.url)
    if (only === 'memory') {
      const paced = await crmsync(emu.url, join(dir, 'crmsync.db'), null, PACED_HEAP)
      await emu.stop()
      emu = undefined
      printSideBySide(`sync all, ${contacts.toLocaleString('en-US')} contacts, no rate limit (memory part only)`, [fig("crmsync sync all, CRMSYNC_HEAP=small (a paced run's heap)", paced)])
      console.log(memoryLine(await smallRun(dir, contacts), {contacts, peakRssMb: paced.peakRssMb}))
      return
    }
    const ours = await crmsync(emu.url, join(dir, 'crmsync.db'))
    // the stores in rounds of alternating order (SQLite first, then PostgreSQL first, ...), so that a
    // change of the machine's load during the bench favours neither: BENCH_STORE_ROUNDS (2 with stores only)
    const rounds = envInt('BENCH_STORE_ROUNDS', only === 'stores' ? 2 : 1)
    const sqliteRuns: ChildFigures[] = [ours]
    const pgRuns: ChildFigures[] = []
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 === 0 ? ['sqlite', 'pg'] : ['pg', 'sqlite']) {
        if (which === 'sqlite' && round === 0) continue // `ours` was round 1's SQLite run
        await warmUp(emu.url)
        if (which === 'sqlite') sqliteRuns.push(await crmsync(emu.url, join(dir, `crmsync-${round}.db`)))
        else {
          const r = await pgStore(emu.url)
          if (r) pgRuns.push(r)
        }
      }
    }
    const onPg = pgRuns[0] ?? null
    const full = only === 'all'
    const floor = full ? (await warmUp(emu.url), await script('sync-floor', emu.url, join(dir, 'floor.db'))) : null
    if (full) await warmUp(emu.url)
    const naive = !full
      ? null
      : await script('sync-naive', emu.url, join(dir, 'naive.db')).catch((err: Error) => {
          console.log(`naive approach failed: ${err.message.slice(0, 300)}`)
          return null
        })
    const paced = full ? (await warmUp(emu.url), await crmsync(emu.url, join(dir, 'paced-heap.db'), null, PACED_HEAP)) : null
    await emu.stop()
    emu = undefined
    const label = (name: string, i: number) => (rounds > 1 ? `${name} (round ${i + 1})` : name)
    const rows = [...sqliteRuns.map((f, i) => fig(label('crmsync sync all', i), f)), ...pgRuns.map((f, i) => fig(label('crmsync sync all, PostgreSQL store', i), f))]
    if (floor) rows.push(fig('floor (fetch + JSON.parse + prepared inserts)', floor))
    if (naive) rows.push(fig('naive (@hubspot/api-client getAll)', naive))
    if (paced) rows.push(fig("crmsync sync all, CRMSYNC_HEAP=small (a paced run's heap)", paced))
    printSideBySide(`sync all, ${contacts.toLocaleString('en-US')} contacts, no rate limit (records = object records; time includes associations)`, rows)
    const rate = (f: ChildFigures) => f.records / f.seconds
    if (onPg) {
      const cpu = (f: ChildFigures) => (f.cpu?.crmsync ?? NaN) + (f.cpu?.server ?? 0)
      for (let i = 0; i < Math.min(sqliteRuns.length, pgRuns.length); i++) {
        const [a, b] = [sqliteRuns[i], pgRuns[i]]
        console.log(
          `${rounds > 1 ? `round ${i + 1}: ` : ''}PostgreSQL store vs SQLite store: ${(rate(b) / rate(a)).toFixed(2)}x records/s (target: at least 0.7x); ` +
            `per CPU second (crmsync + PostgreSQL backends, less sensitive to the machine's load): ${(cpu(a) / cpu(b)).toFixed(2)}x`,
        )
      }
      if (rounds > 1) {
        const mean = (fs: ChildFigures[]) => fs.reduce((n, f) => n + rate(f), 0) / fs.length
        console.log(
          `over ${rounds} rounds: PostgreSQL ${Math.round(mean(pgRuns)).toLocaleString('en-US')} vs SQLite ${Math.round(mean(sqliteRuns)).toLocaleString('en-US')} records/s = ${(mean(pgRuns) / mean(sqliteRuns)).toFixed(2)}x`,
        )
      }
    }
    if (floor) console.log(`crmsync vs floor: ${(rate(ours) / rate(floor)).toFixed(2)}x records/s; vs naive: ${naive ? (rate(ours) / rate(naive)).toFixed(2) + 'x' : 'n/a'}`)
    if (!full) return

    console.log(memoryLine(await smallRun(dir, contacts), {contacts, peakRssMb: paced!.peakRssMb}))

    emu = await startEmulator({portalDir: big, token: TOKEN, rateLimit: '100/10s'})
    const limited = emu
    const spawned = performance.now()
    let firstAt: number | null = null
    const poll = setInterval(() => {
      if (firstAt === null && limited.stats.requests > 0) firstAt = performance.now()
    }, 20)
    // default budget (100/10s, learned from the emulator's headers); small pages so that even a small portal outlasts the window
    await run([join(root, 'bin/run.js'), 'sync', 'contacts', '--full', '--batch-size', '10', '--db', join(dir, 'rate.db'), '--base-url', emu.url], rateSeconds * 1000)
    clearInterval(poll)
    const window = (performance.now() - (firstAt ?? spawned)) / 1000
    const allowed = (window / 10) * 100
    // search draws from its own bucket (5/s), outside the 100/10 s one: counted apart
    const searches = emu.stats.byEndpoint.search
    const served = emu.stats.requests - searches
    console.log(
      `rate-limited run (100 requests / 10 s, ${window.toFixed(1)} s from the first request): ${served} non-search requests = ${((served / allowed) * 100).toFixed(1)}% of the allowed rate, plus ${searches} searches (${(searches / window).toFixed(1)}/s of 5/s); 429s: ${JSON.stringify(emu.stats.rateLimited)}`,
    )
    await emu.stop()
    emu = undefined
    printLanes(await laneBench(root, dir, TOKEN))
  } finally {
    await emu?.stop()
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
