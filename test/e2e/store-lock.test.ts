/**
 * One sync per store at a time (issue 11, risk "two sync all on one store"): a second `sync all` is
 * refused before any API call, exit 1, naming the holder's pid and start time; `--wait` queues behind
 * it; a lock left by a process killed with SIGKILL is taken over. The holder here is a real separate
 * process (or this test process) holding the same lock file the CLI takes.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {acquireStoreLock} from '../../src/store/lock.js'
import {emulator, makePortal, ROOT, runCli, tempDir, TOKEN} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let dir: string
beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 40, deals: 10, appointments: 5, divisions: 2, sharedTimestamp: 4, seed: 8}))
  dir = tempDir('crmsync-lock-')
})
afterAll(async () => {
  await emu?.stop()
})
const flat = (s: string) => s.replace(/\s*\n\s*›?\s*/g, ' ')

describe('store lock', () => {
  it('a second sync on a held store exits 1 naming the holder, without an API call; --wait runs after it', async () => {
    const db = join(dir, 'held.db')
    const lock = await acquireStoreLock(db, {command: 'sync all'})
    try {
      const before = emu.stats.requests
      const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url], {})
      expect(r.code, r.stderr).toBe(1)
      expect(flat(r.stderr)).toMatch(new RegExp(`in use by another crmsync process \\(pid ${process.pid}, "sync all", started \\d{4}-\\d\\d-\\d\\dT`))
      expect(flat(r.stderr)).toMatch(/--wait/)
      expect(emu.stats.requests).toBe(before)
      // --wait: the child announces that it waits (having made no request), then syncs once the lock is released
      const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'sync', 'all', '--db', db, '--base-url', emu.url, '--wait', '--json'], {
        cwd: ROOT,
        env: {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, CRMSYNC_CONFIG: undefined, CRMSYNC_RATE_LIMIT: 'none'},
      })
      let stderr = ''
      const waiting = new Promise<{code: number | null; stderr: string}>((done) => child.on('close', (code) => done({code, stderr})))
      await new Promise<void>((ok) => child.stderr.on('data', (d) => ((stderr += d), stderr.includes('waiting for the sync holding') && ok())))
      expect(emu.stats.requests).toBe(before)
      lock.release()
      const w = await waiting
      expect(w.code, w.stderr).toBe(0)
      expect(w.stderr).toMatch(/waiting for the sync holding/)
      expect(emu.stats.requests).toBeGreaterThan(before)
      // the holder removes its lock file when done: nothing is left beside the store
      expect(existsSync(`${db}.lock`)).toBe(false)
    } finally {
      lock.release()
    }
  }, 60_000)

  it('a lock held by a process killed with SIGKILL is taken over', async () => {
    const db = join(dir, 'stale.db')
    const holder = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `import {acquireStoreLock} from ${JSON.stringify(join(ROOT, 'dist/src/store/lock.js'))}; await acquireStoreLock(${JSON.stringify(db)}, {command: 'sync all'}); console.log('held'); setInterval(() => {}, 1000)`,
    ])
    await new Promise<void>((ok) => holder.stdout.on('data', (d) => String(d).includes('held') && ok()))
    const refused = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url], {})
    expect(refused.code).toBe(1)
    expect(flat(refused.stderr)).toContain(`pid ${holder.pid}`)
    holder.kill('SIGKILL')
    await new Promise((ok) => holder.on('close', ok))
    expect(existsSync(`${db}.lock`)).toBe(true) // a killed holder cannot remove it
    const r = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url], {})
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(`${db}.lock`)).toBe(false)
  }, 60_000)

  it('a failed sync (bad input, rejected token) leaves no lock file and no store', async () => {
    const db = join(dir, 'never.db')
    const r = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url], {HUBSPOT_ACCESS_TOKEN: 'wrong-token-abcdef'})
    expect(r.code).toBe(1)
    expect(existsSync(db)).toBe(false)
    expect(existsSync(`${db}.lock`)).toBe(false)
  })
})
