/**
 * Service mode (`crmsync sync all --every ... --listen ...`) as a child process against the
 * emulator: two intervals run, /healthz and /metrics answer (the metrics read back by a Prometheus
 * text-format parser), a SIGTERM in the middle of a run ends it at a page boundary with exit 0 and
 * a checkpoint the next run resumes from; repeated credential refusals end the service.
 */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {MutationOp, RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, ROOT, runCli, storePictureOf, tempDir, TOKEN} from '../conformance/sync-harness.js'

type Family = {name: string; metrics: Array<{value: string; labels?: Record<string, string>}>}

let emu: RunningEmulator
beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 150, deals: 40, appointments: 20, divisions: 4, seed: 29}))
})
afterAll(async () => {
  await emu?.stop()
})

/** Start the CLI; `waitFor(re)` resolves with the match once stderr shows it. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {
    cwd: ROOT,
    env: {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, CRMSYNC_CONFIG: undefined, CRMSYNC_RATE_LIMIT: 'none', ...env},
  })
  let stderr = ''
  let stdout = ''
  const waiters: Array<{re: RegExp; from: number; done: (m: RegExpMatchArray) => void}> = []
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = stderr.slice(w.from).match(w.re)
      if (m) {
        waiters.splice(waiters.indexOf(w), 1)
        w.done(m)
      }
    }
  }
  child.stderr.on('data', (d) => {
    stderr += d
    check()
  })
  child.stdout.on('data', (d) => (stdout += d))
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  return {
    child,
    exit,
    get stderr() {
      return stderr
    },
    get stdout() {
      return stdout
    },
    /** the first match of `re` in what stderr prints from now on (or from `from`) */
    waitFor(re: RegExp, from = stderr.length): Promise<RegExpMatchArray> {
      return new Promise((done) => {
        waiters.push({re, from, done})
        check()
      })
    },
  }
}

describe('sync all --every (service mode)', () => {
  it('runs once per interval, serves /healthz and /metrics, stops at a page boundary on SIGTERM with exit 0', async () => {
    const db = join(tempDir(), 'service.db')
    const svc = start(['sync', 'all', '--every', '2s', '--listen', '127.0.0.1:0', '--db', db, '--base-url', emu.url, '--batch-size', '10', '--debug'])
    const [, port] = await svc.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+) /, 0)
    await svc.waitFor(/run 2: ok/, 0)
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({status: 'ok'})
    const families = parsePrometheusTextFormat(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()) as Family[]
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(families.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value)
    expect(value('crmsync_runs_total', {status: 'ok'})).toBeGreaterThanOrEqual(2)
    expect(value('crmsync_records_fetched_total', {stream: 'contacts'})).toBeGreaterThanOrEqual(150)
    expect(value('crmsync_up')).toBe(1)
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404)

    // work for the next run, then SIGTERM once it has written a few pages
    const ops: MutationOp[] = Array.from({length: 2000}, (_, i) => ({kind: 'create', entity: 'contacts', properties: {email: `svc${i}@example.com`}}))
    emu.mutate(ops)
    const mark = svc.stderr.length
    const before = (await storePictureOf(db)).records.contacts.length
    await svc.waitFor(/(?:"stream":"contacts"[^\n]*"msg":"page"[\s\S]*?){3}/, mark)
    svc.child.kill('SIGTERM')
    expect(await svc.exit, svc.stderr.slice(-2000)).toBe(0)
    expect(svc.stderr).toMatch(/stopped by a signal at a page boundary/)
    const partial = (await storePictureOf(db)).records.contacts.length - before
    expect(partial).toBeGreaterThan(0) // pages written before the signal are committed
    expect(partial).toBeLessThan(2000)
    const rerun = jsonOf<{streams: Array<{stream: string; counts: {inserted: number}}>}>(await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--json'], {}))
    expect(rerun.streams.find((s) => s.stream === 'contacts')!.counts.inserted).toBe(2000 - partial) // resumed from the checkpoint
    expect(await storePictureOf(db)).toEqual(emulatorPicture(emu))
    console.log(`service: 2+ intervals, SIGTERM after ${partial} of 2000 new contacts were committed; the rerun added the other ${2000 - partial}`)
  }, 120_000)

  it('ends with exit 1 and a clear message after 3 runs in a row refused for their credentials', async () => {
    const db = join(tempDir(), 'auth.db')
    const svc = start(['sync', 'all', '--every', '1s', '--db', db, '--base-url', emu.url], {HUBSPOT_ACCESS_TOKEN: 'wrong-token-5678'})
    expect(await svc.exit).toBe(1)
    expect(svc.stderr).toMatch(/run 3 failed/)
    expect(svc.stderr.replace(/\s*\n\s*›?\s*/g, ' ')).toMatch(/stopping the service: 3 runs in a row were refused for their credentials/)
    expect(svc.stderr + svc.stdout).not.toContain('wrong-token-5678')
  }, 60_000)

  it('refuses --listen without --every and a bad --every with exit 2', async () => {
    const db = join(tempDir(), 'x.db')
    expect((await runCli(['sync', 'all', '--listen', '127.0.0.1:0', '--db', db, '--base-url', emu.url], {})).code).toBe(2)
    const bad = await runCli(['sync', 'all', '--every', '5', '--db', db, '--base-url', emu.url], {})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--every "5" is not an interval/)
  })
})
