/**
 * `npm run bench -- processes` (prints, never asserts): `crmsync sync all` by one process, then by
 * three started at once, on one PostgreSQL store (a schema of its own each) and one Redis budget,
 * against the emulator, under each rate limit of BENCH_PROCESS_RATES (default `40/1s,none`): wall
 * time from the spawn to the last exit, requests, 429s, which process ran which stream and which
 * search lanes it took over from another (src/core/shared-lanes.ts), and whether the lone process
 * was budget-bound (its non-search requests per second against the limit).
 *
 * What to read from it: the rate limit is per portal, so under a limit the processes share ONE
 * budget; three can only be faster than one where a single process leaves budget unused (waiting
 * on its own store writes and parsing, or on one stream's serial pages), never by fetching faster
 * than the limit. Every process also pays its own start (Node, the CLI, the store open and
 * migrations, one preflight request).
 *
 * BENCH_PROCESS_CONTACTS contacts (default 20,000; deals a quarter, appointments a fifth), BENCH_PG
 * (default the local `test` database), BENCH_REDIS (default redis://127.0.0.1:6379).
 */
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {cpus, loadavg, tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import pg from 'pg'
import {parseRateSpec} from '../core/rate-spec.js'
import {redactUrl} from '../core/redact-url.js'
import {startEmulator} from '../emulator/index.js'
import {generatePortal} from '../portal/generator.js'
import {envInt} from './measure.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../../..')
const TOKEN = 'bench-token'

interface ProcessRun {
  code: number | null
  /** seconds from this process's spawn to its exit */
  seconds: number
  /** the run's own seconds (from its start, after Node and the CLI loaded) */
  runSeconds: number | null
  /** CPU seconds the process used (user + system) */
  cpuSeconds: number | null
  /** `<stream> (N pages)`, a search lane taken over from another process as `<stream>#search (N pages)` */
  streams: string[]
  /** this process's requests, and those of them to search (its own bucket) */
  requests: number
  searchRequests: number
  stderr: string
}

function crmsync(args: string[], env: Record<string, string>): Promise<ProcessRun> {
  const t = performance.now()
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {cwd: root, env: {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, ...env}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => {
      let summary: {seconds?: number; cpuSeconds?: number; streams?: Array<{stream: string; pages: number}>; totals?: {requests: number; searchRequests: number}} = {}
      try {
        summary = JSON.parse(stdout) as typeof summary
      } catch {
        // a failed run prints no summary: its stderr says why
      }
      const streams = (summary.streams ?? []).map((s) => `${s.stream} (${s.pages} pages)`)
      done({
        code,
        seconds: (performance.now() - t) / 1000,
        runSeconds: summary.seconds ?? null,
        cpuSeconds: summary.cpuSeconds ?? null,
        streams,
        requests: summary.totals?.requests ?? 0,
        searchRequests: summary.totals?.searchRequests ?? 0,
        stderr,
      })
    })
  })
}

/**
 * The processes' requests (their --debug request lines) per second of the wall clock, by kind:
 * object reads (the 10-second bucket), search (a bucket of its own), associations (the 10-second
 * bucket, after every object stream). Shows which phase leaves the budget unused.
 */
function perSecond(runs: ProcessRun[]): {line: string; phases: string} {
  const seen: Array<{at: number; kind: 'obj' | 'search' | 'assoc'}> = []
  for (const r of runs)
    for (const line of r.stderr.split('\n')) {
      if (!line.includes('"msg":"hubspot request"')) continue
      try {
        const l = JSON.parse(line) as {time: number; path: string}
        seen.push({at: l.time, kind: l.path.includes('/search') ? 'search' : l.path.includes('/associations/') ? 'assoc' : 'obj'})
      } catch {
        // not a log line
      }
    }
  if (seen.length === 0) return {line: '(no request lines)', phases: ''}
  const t0 = Math.min(...seen.map((s) => s.at))
  const secs: Array<Record<'obj' | 'search' | 'assoc', number>> = []
  for (const s of seen) (secs[Math.floor((s.at - t0) / 1000)] ??= {obj: 0, search: 0, assoc: 0})[s.kind]++
  const line = Array.from(secs, (c = {obj: 0, search: 0, assoc: 0}) => `${c.obj}+${c.search}+${c.assoc}`).join(' ')
  // the objects phase ends with the last object read, the associations phase begins there
  const objEnd = Math.max(...seen.filter((s) => s.kind !== 'assoc').map((s) => s.at))
  const count = (k: string, from: number, to: number) => seen.filter((s) => s.kind === k && s.at >= from && s.at <= to).length
  const end = Math.max(...seen.map((s) => s.at))
  const rate = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : 0).toFixed(1)
  const phases =
    `objects phase ${((objEnd - t0) / 1000).toFixed(1)} s: ${rate(count('obj', t0, objEnd), objEnd - t0)} object reads/s + ${rate(count('search', t0, objEnd), objEnd - t0)} searches/s; ` +
    `associations phase ${((end - objEnd) / 1000).toFixed(1)} s: ${rate(count('assoc', objEnd, end), end - objEnd)} reads/s`
  return {line, phases}
}

/** Busy and idle CPU milliseconds of the whole machine so far (every core). */
function machineCpu(): {busy: number; idle: number} {
  let busy = 0
  let idle = 0
  for (const c of cpus()) {
    idle += c.times.idle
    busy += c.times.user + c.times.nice + c.times.sys + c.times.irq
  }
  return {busy, idle}
}

async function main(): Promise<void> {
  const contacts = envInt('BENCH_PROCESS_CONTACTS', 20_000)
  const rates = (process.env.BENCH_PROCESS_RATES ?? '40/1s,none').split(',')
  const base = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
  const redis = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379'
  const admin = new pg.Client({connectionString: base, connectionTimeoutMillis: 5000})
  try {
    await admin.connect()
  } catch (err) {
    console.log(`processes benchmark skipped: ${redactUrl(base)} does not answer (${(err as Error).message}); set BENCH_PG`)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-processes-'))
  const schemas: string[] = []
  try {
    const portal = join(dir, 'portal')
    await generatePortal({out: portal, contacts, deals: Math.ceil(contacts / 4), appointments: Math.ceil(contacts / 5), divisions: 20, seed: 5})
    for (const rate of rates) {
      const emu = await startEmulator({portalDir: portal, token: TOKEN, rateLimit: rate === 'none' ? 'none' : rate})
      try {
        const db = (): string => {
          const schema = `crmsync_bench_proc_${process.pid}_${randomBytes(4).toString('hex')}`
          schemas.push(schema)
          return `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`
        }
        // --debug in every run: its request lines give the per-second request rates below
        const args = (store: string) => ['sync', 'all', '--db', store, '--base-url', emu.url, '--json', '--debug', ...(rate === 'none' ? ['--rate-limit', 'none'] : ['--shared-budget', redis])]
        const env: Record<string, string> = rate === 'none' ? {} : {CRMSYNC_RATE_LIMIT: rate}
        const measure = async (n: number) => {
          const load = loadavg()[0]
          const requests = emu.stats.requests
          const limited = () => Object.values(emu.stats.rateLimited).reduce((a, b) => a + b, 0)
          const limitedBefore = limited()
          const store = db()
          const t = performance.now()
          const cpu0 = machineCpu()
          const emu0 = process.cpuUsage()
          const runs = await Promise.all(Array.from({length: n}, () => crmsync(args(store), env)))
          const wall = (performance.now() - t) / 1000
          const cpu1 = machineCpu()
          const emuCpu = process.cpuUsage(emu0)
          // how busy the machine's cores were meanwhile (everything on it: these processes, the emulator, PostgreSQL, other users)
          const busy = (cpu1.busy - cpu0.busy) / (cpu1.busy - cpu0.busy + cpu1.idle - cpu0.idle)
          const emulatorSeconds = (emuCpu.user + emuCpu.system) / 1e6
          for (const r of runs) if (r.code !== 0) throw new Error(`crmsync sync all failed (${r.code}): ${r.stderr.slice(0, 1000)}`)
          return {wall, runs, requests: emu.stats.requests - requests, rateLimited: limited() - limitedBefore, load, busy, emulatorSeconds}
        }
        const one = await measure(1)
        const three = await measure(3)
        const line = (label: string, m: typeof one): string =>
          `  ${label}: ${m.wall.toFixed(1)} s wall (per process: ${m.runs.map((r) => `${r.seconds.toFixed(1)} s, run ${r.runSeconds?.toFixed(1) ?? '?'} s, CPU ${r.cpuSeconds?.toFixed(1) ?? '?'} s`).join('; ')}), ${m.requests} requests = ${(m.requests / m.wall).toFixed(1)}/s, 429s: ${m.rateLimited}, load at start ${m.load.toFixed(2)}, machine CPU ${Math.round(100 * m.busy)}% busy over ${cpus().length} cores (emulator ${m.emulatorSeconds.toFixed(1)} s CPU), streams ${JSON.stringify(m.runs.map((r) => r.streams))}`
        console.log(`sync all, ${contacts.toLocaleString('en-US')} contacts, rate limit ${rate}${rate === 'none' ? '' : ' (one Redis budget)'}, one PostgreSQL store:`)
        console.log(line('one process', one))
        const oneRates = perSecond(one.runs)
        console.log(`    requests per second, objects + search + associations: ${oneRates.line}`)
        console.log(line('three processes at once', three))
        console.log(`    requests per second, objects + search + associations: ${perSecond(three.runs).line}`)
        console.log(`  three vs one: ${(three.wall / one.wall).toFixed(2)}x the wall time (${one.wall.toFixed(1)} s -> ${three.wall.toFixed(1)} s)`)
        if (rate !== 'none') {
          // search draws from its own bucket: the limit paces the rest
          const spec = parseRateSpec(rate)
          const allowed = (spec.max * 1000) / spec.intervalMs
          const paced = one.runs[0].requests - one.runs[0].searchRequests
          const pacedRate = paced / (one.runs[0].runSeconds ?? one.wall)
          console.log(
            `  one process, ${oneRates.phases} (allowed: ${allowed}/s, search 5/s)\n` +
              `  one process: ${paced} non-search requests in its ${(one.runs[0].runSeconds ?? one.wall).toFixed(1)} s run = ${pacedRate.toFixed(1)}/s of ${allowed}/s allowed (${Math.round((100 * pacedRate) / allowed)}%): ${pacedRate >= 0.9 * allowed ? 'budget-bound' : 'not budget-bound over the whole run'}; the budget alone needs ${(paced / allowed).toFixed(1)} s for them`,
          )
        }
      } finally {
        await emu.stop()
      }
    }
  } finally {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined)
    await admin.end()
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
