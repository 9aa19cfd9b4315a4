/**
 * Several processes, one portal: three `crmsync sync all` processes started at once on one
 * PostgreSQL store and one Redis budget, against a rate-limited emulator, spread the streams over
 * them (each stream claimed by exactly one, and the search lane of a stream's full phase taken
 * over by another: src/core/shared-lanes.ts), get no 429, and leave the store equal to the portal;
 * when one is killed mid-stream, or the one running a taken-over search lane, the others finish.
 */
import {Socket} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePictureOf, type CliResult} from '../conformance/sync-harness.js'
import {dropSchemas, pgAvailable, storeUrl, uniqueSchema} from '../helpers/postgres.js'

const REDIS = process.env.CRMSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const RATE = '40/1s'

let emu: RunningEmulator | undefined
let ok = false
const schemas: string[] = []
const store = (tag: string): string => {
  const s = uniqueSchema(tag)
  schemas.push(s)
  return storeUrl(s)
}

function redisAvailable(): Promise<boolean> {
  const u = new URL(REDIS)
  return new Promise((done) => {
    const s = new Socket()
    s.setTimeout(2000)
    s.once('connect', () => (s.destroy(), done(true)))
    s.once('error', () => done(false))
    s.once('timeout', () => (s.destroy(), done(false)))
    s.connect(Number(u.port || 6379), u.hostname)
  })
}

beforeAll(async () => {
  const redis = await redisAvailable()
  if (!redis && process.env.CI === 'true') throw new Error(`Redis is required under CI but ${REDIS} does not answer`)
  if (!redis) console.warn(`SKIPPED: several-process sync needs Redis at ${REDIS}`)
  ok = redis && (await pgAvailable())
  if (ok) emu = await emulator(await makePortal({contacts: 1500, deals: 300, appointments: 200, divisions: 6, seed: 23}), {rateLimit: RATE})
}, 60_000)
afterAll(async () => {
  await emu?.stop()
  await dropSchemas(schemas)
})

interface Summary {
  streams: Array<{stream: string; fetched: number; pages: number}>
}

const LANE = '#search'
/** the streams a process claimed (not the search lanes it took over) */
const claimed = (r: CliResult) => jsonOf<Summary>(r).streams.filter((s) => !s.stream.endsWith(LANE))
/** the search lanes a process took over from another and wrote pages of */
const takenOver = (r: CliResult) => jsonOf<Summary>(r).streams.filter((s) => s.stream.endsWith(LANE) && s.pages > 0)

const rateLimited = () => Object.values(emu!.stats.rateLimited as Record<string, number>).reduce((a, b) => a + b, 0)
const args = (db: string, ...extra: string[]) => ['sync', 'all', '--batch-size', '20', '--db', db, '--base-url', emu!.url, '--shared-budget', REDIS, ...extra]
const env = {CRMSYNC_RATE_LIMIT: RATE}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now()
  const out = await fn()
  return [out, (performance.now() - t) / 1000]
}

describe('sync all by three processes on one PostgreSQL store', () => {
  it('spreads the streams, syncs each exactly once, no 429, the store equals the portal', async (t) => {
    if (!ok) return t.skip()
    const before = rateLimited()
    const single = store('one')
    const requests0 = emu!.stats.requests
    const [one, oneSeconds] = await timed(() => runCli([...args(single), '--json'], env))
    expect(one.code, one.stderr).toBe(0)
    const oneRequests = emu!.stats.requests - requests0
    expect(jsonOf<{cpuSeconds: number}>(one).cpuSeconds).toBeGreaterThan(0) // what the bench reads to tell a CPU-bound process

    const shared = store('three')
    const requests1 = emu!.stats.requests
    const [three, threeSeconds] = await timed(() => Promise.all([0, 1, 2].map(() => runCli([...args(shared), '--json'], env))))
    const threeRequests = emu!.stats.requests - requests1
    for (const r of three) expect(r.code, r.stderr).toBe(0)
    const ran = three.map((r) => claimed(r).map((s) => s.stream))
    const all = jsonOf<Summary>(one)
      .streams.map((s) => s.stream)
      .sort()
    expect(ran.flat().sort()).toEqual(all) // each stream claimed exactly once over the three
    // the split happened: a stream's search lane was written by a process other than the stream's
    const lanes = three.map((r) => takenOver(r).map((s) => `${s.stream} ${s.pages} pages`))
    const split = three.flatMap((r, i) => takenOver(r).filter((l) => ran.some((streams, j) => j !== i && streams.includes(l.stream.slice(0, -LANE.length)))))
    expect(split.length, `no search lane taken over: ${JSON.stringify(three.map((r) => jsonOf<Summary>(r).streams))}`).toBeGreaterThan(0)
    expect(rateLimited() - before).toBe(0)
    const want = emulatorPicture(emu!)
    expect(await storePictureOf(shared)).toEqual(want)
    expect(await storePictureOf(single)).toEqual(want)
    // printed, never asserted (timing): what to expect is in docs/operations.md
    const runSeconds = (r: CliResult) => jsonOf<{seconds: number}>(r).seconds.toFixed(1)
    console.log(
      `one process: ${oneSeconds.toFixed(1)} s wall (its run ${runSeconds(one)} s), ${oneRequests} requests = ${(oneRequests / oneSeconds).toFixed(1)}/s of ${RATE} allowed; ` +
        `three processes at once: ${threeSeconds.toFixed(1)} s wall (their runs ${three.map(runSeconds).join(', ')} s), ${threeRequests} requests = ${(threeRequests / threeSeconds).toFixed(1)}/s; streams per process ${JSON.stringify(ran)}, search lanes taken over ${JSON.stringify(lanes)}`,
    )
  }, 300_000)

  it('a process killed mid-stream releases its claim; another resumes the stream from its checkpoint', async (t) => {
    if (!ok) return t.skip()
    const db = store('kill')
    // the first process is killed after its 3rd committed page; the two others wait for its streams
    const first = runCli([...args(db), '--debug'], env, {killAfterPages: 3})
    await new Promise((r) => setTimeout(r, 300))
    const others = [runCli([...args(db), '--json'], env), runCli([...args(db), '--json'], env)]
    const killed: CliResult = await first
    expect(killed.signal).toBe('SIGKILL')
    const pagesBeforeKill = killed.stderr.match(/"msg":"page"/g)?.length ?? 0
    const killedStreams = [...new Set([...killed.stderr.matchAll(/"stream":"([^"]+)"[^\n]*"msg":"page"/g)].map((m) => m[1]))]
    const rest = await Promise.all(others)
    for (const r of rest) expect(r.code, r.stderr).toBe(0)
    const resumedBy = rest.flatMap((r) => claimed(r).map((s) => s.stream))
    for (const s of killedStreams) expect(resumedBy, `${s} was left unfinished by the killed process`).toContain(s)
    expect(await storePictureOf(db)).toEqual(emulatorPicture(emu!))
    console.log(`killed after ${pagesBeforeKill} pages of ${killedStreams.join(', ')}; finished by the others: ${JSON.stringify(rest.map((r) => jsonOf<Summary>(r).streams.map((s) => s.stream)))}`)
  }, 300_000)

  it('kill -9 of the process running a taken-over search lane: the others finish the stream, the store equals the portal', async (t) => {
    if (!ok) return t.skip()
    const db = store('lane-kill')
    const before = rateLimited()
    // the first process to write two pages of a search lane it took over is killed there
    let victim: number | null = null
    const takerPages = (stderr: string): number => {
      const at = stderr.indexOf('"msg":"search lane taken over"')
      return at < 0 ? 0 : (stderr.slice(at).match(/"lane":"search"[^\n]*"msg":"page"/g)?.length ?? 0)
    }
    const runs = [0, 1, 2].map((i) =>
      runCli([...args(db), '--debug', '--json'], env, {
        killWhen: (stderr) => {
          if (victim === null && takerPages(stderr) >= 2) victim = i
          return victim === i
        },
      }),
    )
    const done = await Promise.all(runs)
    expect(victim, 'no process took a search lane over').not.toBeNull()
    const killed = done[victim!]
    expect(killed.signal).toBe('SIGKILL')
    const lane = killed.stderr.match(/"stream":"([^"]+)"[^\n]*"msg":"search lane taken over"/)![1]
    const rest = done.filter((_, i) => i !== victim)
    for (const r of rest) expect(r.code, r.stderr).toBe(0)
    // the stream whose search lane died with its taker was finished by one of the others
    expect(rest.flatMap((r) => claimed(r).map((s) => s.stream))).toContain(lane)
    expect(rateLimited() - before).toBe(0)
    expect(await storePictureOf(db)).toEqual(emulatorPicture(emu!))
    console.log(
      `killed the taker of ${lane}'s search lane after ${takerPages(killed.stderr)} of its pages; the others: ${JSON.stringify(rest.map((r) => jsonOf<Summary>(r).streams.map((s) => `${s.stream}:${s.pages}`)))}`,
    )
  }, 300_000)
})
