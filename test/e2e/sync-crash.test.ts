import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {prng} from '../../src/portal/prng.js'
import {emulator, jsonOf, makePortal, runCli, storeIndexes, storePicture, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 400, deals: 120, appointments: 80, divisions: 8, sharedTimestamp: 60, seed: 33}))
})
afterAll(async () => {
  await emu?.stop()
})

describe('crash safety', () => {
  it('20+ kill -9 at random moments, each followed by a rerun, end identical to an uninterrupted run', async () => {
    const args = (db: string) => ['sync', 'all', '--batch-size', '10', '--db', db, '--base-url', emu.url]
    const reference = join(tempDir(), 'ref.db')
    const ref = await runCli([...args(reference), '--debug'], {})
    expect(ref.code, ref.stderr).toBe(0)
    const pages = ref.stderr.match(/"msg":"page"/g)?.length ?? 0
    expect(pages).toBeGreaterThan(40)

    const db = join(tempDir(), 'crash.db')
    const random = prng(2026) // random but reproducible kill moments
    let kills = 0
    let completed = 0
    // each run is killed a random 0-15 ms after a random number of written pages (1 to pages/22), so
    // the 22 kills land at random points spread over about half of the run's progress (objects and
    // associations alike), however fast or slow the machine is
    const spread = Math.max(2, Math.floor(pages / 22))
    for (let i = 0; i < 60 && kills < 22; i++) {
      const r = await runCli([...args(db), '--debug'], {}, {killAfterPages: 1 + Math.floor(random() * spread), killDelayMs: Math.floor(random() * 16)})
      if (r.signal === 'SIGKILL') kills++
      else {
        expect(r.code, r.stderr).toBe(0)
        completed++
      }
    }
    const last = await runCli(args(db), {})
    expect(last.code, last.stderr).toBe(0)
    console.log(`crash safety: ${kills} kill -9 spread over a ${pages}-page run, ${completed} reruns completed before the final one`)
    expect(kills).toBeGreaterThanOrEqual(20)
    expect(storePicture(db)).toEqual(storePicture(reference))
    expect(storeIndexes(db)).toEqual(storeIndexes(reference))
    expect(storeIndexes(db)).toContain('associations_to')
  })

  it('SIGINT or SIGTERM mid-run: exit 130 with a resume hint, the run recorded as interrupted, a rerun ends identical', async () => {
    const args = (db: string) => ['sync', 'all', '--batch-size', '10', '--db', db, '--base-url', emu.url]
    const reference = join(tempDir(), 'ref.db')
    expect((await runCli(args(reference), {})).code).toBe(0)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const db = join(tempDir(), `${signal}.db`)
      const r = await runCli([...args(db), '--debug'], {}, {killAfterPages: 5, signal})
      expect(r.code, r.stderr).toBe(130)
      expect(r.stderr).toMatch(/sync interrupted: \d+ page\(s\) were written/)
      expect(r.stderr).toMatch(/run the same command again to resume/)
      const status = jsonOf<{runs?: unknown}>(await runCli(['sync', 'status', '--db', db, '--json'], {}))
      expect(JSON.stringify(status)).toContain('"interrupted"')
      expect((await runCli(args(db), {})).code).toBe(0)
      expect(storePicture(db)).toEqual(storePicture(reference))
    }
  })
})
