/**
 * Ctrl-C / SIGTERM during `parity diff`, and during the diff phase of `parity run`, removes the
 * staging database and the run's temporary store (exit 130 / 143); folders a dead process left
 * behind (`crmsync-parity-<pid>-*`, `<out>.tmp-<pid>`) are removed by the next run (issue 11, item 2).
 * Each child gets its own TMPDIR, so only its own temp folders are looked at.
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, ROOT} from '../helpers/cli.js'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {writeSyntheticPortal} from '../../src/parity/synthetic-portal.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'

const MAPPING = join(ROOT, 'fixtures/mappings/legacy-django.json')
let dir: string
/** a pid that surely belongs to no process: one that has just exited */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-interrupt-'))
  const source = new SyntheticSource({contacts: 60, deals: 30, appointments: 20, divisions: 3, seed: 4})
  await writeSyntheticPortal(source, join(dir, 'portal'), '2025-12-31T00:00:00.000Z')
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy.json'), format: 'json'}, store: join(dir, 'store.db'), snapshotAt: '2025-12-31T00:00:00Z'})
  writeFileSync(join(dir, 'parity.config.json'), JSON.stringify({portal: join(dir, 'portal'), mapping: MAPPING, legacy: join(dir, 'legacy.json'), out: join(dir, 'run-out')}))
}, 120_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Start the CLI paused at the diff's test hook; resolves once it is paused, with a way to signal it. */
function startPaused(args: string[], tmp: string): Promise<{pid: number; signal(sig: NodeJS.Signals): Promise<{code: number | null; stderr: string}>}> {
  return new Promise((ready, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env: {...process.env, TMPDIR: tmp, CRMSYNC_TEST_PAUSE: 'staged', NO_COLOR: '1'}})
    let stderr = ''
    const exited = new Promise<{code: number | null; stderr: string}>((done) => child.on('close', (code) => done({code, stderr})))
    child.stderr.on('data', (d) => {
      stderr += d
      if (stderr.includes('test pause at staged')) ready({pid: child.pid!, signal: (sig) => (child.kill(sig), exited)})
    })
    child.on('error', fail)
    void exited.then((r) => fail(new Error(`exited ${r.code} before pausing: ${r.stderr}`)))
  })
}

const parityTemps = (tmp: string): string[] => readdirSync(tmp).filter((n) => n.startsWith('crmsync-parity-'))

describe('parity diff and parity run clean up on signals', () => {
  for (const [sig, exit] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`parity diff, ${sig}: the staging folder is removed, exit ${exit}`, async () => {
      const tmp = mkdtempSync(join(dir, 'tmp-'))
      const out = join(dir, `out-${sig}`)
      const p = await startPaused(['parity', 'diff', '--legacy', join(dir, 'legacy.json'), '--mapping', MAPPING, '--db', join(dir, 'store.db'), '--out', out], tmp)
      const staging = parityTemps(tmp)
      expect(staging).toEqual([expect.stringMatching(new RegExp(`^crmsync-parity-${p.pid}-`))])
      expect(readdirSync(join(tmp, staging[0]))).toContain('staging.db')
      const r = await p.signal(sig)
      expect(r.code, r.stderr).toBe(exit)
      expect(parityTemps(tmp)).toEqual([])
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([])
    })
  }

  it('parity run, SIGINT in the diff phase: staging and the temporary store are removed, exit 130', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'))
    const p = await startPaused(['parity', 'run', '--config', join(dir, 'parity.config.json')], tmp)
    const temps = parityTemps(tmp).sort()
    expect(temps).toEqual([expect.stringMatching(new RegExp(`^crmsync-parity-${p.pid}-`)), expect.stringMatching(new RegExp(`^crmsync-parity-run-${p.pid}-`))])
    expect(readdirSync(join(tmp, temps[1]))).toContain('store.db')
    const r = await p.signal('SIGINT')
    expect(r.code, r.stderr).toBe(130)
    expect(parityTemps(tmp)).toEqual([])
  }, 60_000)
})

describe('stale temp folders of dead processes are removed on start', () => {
  it("parity diff removes crmsync-parity-<dead pid>-* folders and keeps a live process's", async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'))
    const dead = deadPid()
    for (const n of [`crmsync-parity-${dead}-abc123`, `crmsync-parity-run-${dead}-def456`, `crmsync-parity-${process.pid}-live00`]) {
      mkdirSync(join(tmp, n))
      writeFileSync(join(tmp, n, 'staging.db'), 'personal data')
    }
    const r = spawnSync(process.execPath, [BIN, 'parity', 'diff', '--legacy', join(dir, 'legacy.json'), '--mapping', MAPPING, '--db', join(dir, 'store.db'), '--out', join(dir, 'out-stale')], {
      cwd: ROOT,
      env: {...process.env, TMPDIR: tmp},
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    expect(parityTemps(tmp)).toEqual([`crmsync-parity-${process.pid}-live00`])
  })

  it('portal generate removes <out>.tmp-<dead pid> beside its target', async () => {
    const dead = deadPid()
    mkdirSync(join(dir, `gen.tmp-${dead}`))
    writeFileSync(join(dir, `gen.tmp-${dead}`, 'contacts.ndjson'), '{}')
    mkdirSync(join(dir, `gen.tmp-${process.pid}`))
    const r = spawnSync(process.execPath, [BIN, 'portal', 'generate', '--out', join(dir, 'gen'), '--contacts', '20', '--deals', '5', '--appointments', '2', '--divisions', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(join(dir, `gen.tmp-${dead}`))).toBe(false)
    expect(existsSync(join(dir, `gen.tmp-${process.pid}`))).toBe(true)
  })
})
