import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, jsonOf, makePortal, runCli, storeIndexes, storePicture, tempDir} from '../conformance/sync-harness.js'
import {killLoop} from '../helpers/kill-loop.js'

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
    const db = join(tempDir(), 'crash.db')
    // 22 kills within the first pages/22 pages of each run: spread over about half of the run's
    // progress (objects and associations alike)
    const {pages, kills, completed} = await killLoop({args, reference, db, seed: 2026, kills: 22, maxRuns: 60, spreadOver: 22})
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
