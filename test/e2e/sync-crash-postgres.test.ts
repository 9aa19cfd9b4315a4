/**
 * Crash safety on the PostgreSQL store: kill -9 at random moments of a PostgreSQL-backed sync, each
 * followed by a rerun, ends identical to an uninterrupted run (each page commits with its checkpoint
 * in one transaction; a killed connection's open transaction is rolled back by the server).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {prng} from '../../src/portal/prng.js'
import {emulator, makePortal, runCli, storePictureOf} from '../conformance/sync-harness.js'
import {dropSchemas, pgAvailable, storeUrl, uniqueSchema} from '../helpers/postgres.js'

let emu: RunningEmulator | undefined
let ok = false
const schemas: string[] = []
const store = (tag: string): string => {
  const s = uniqueSchema(tag)
  schemas.push(s)
  return storeUrl(s)
}

beforeAll(async () => {
  ok = await pgAvailable()
  if (ok) emu = await emulator(await makePortal({contacts: 400, deals: 120, appointments: 80, divisions: 8, sharedTimestamp: 60, seed: 33}))
})
afterAll(async () => {
  await emu?.stop()
  await dropSchemas(schemas)
})

describe('crash safety on PostgreSQL', () => {
  it('20+ kill -9 at random moments, each followed by a rerun, end identical to an uninterrupted run', async (t) => {
    if (!ok) return t.skip()
    const args = (db: string) => ['sync', 'all', '--batch-size', '10', '--db', db, '--base-url', emu!.url]
    const reference = store('crashref')
    const ref = await runCli([...args(reference), '--debug'], {})
    expect(ref.code, ref.stderr).toBe(0)
    const pages = ref.stderr.match(/"msg":"page"/g)?.length ?? 0
    expect(pages).toBeGreaterThan(40)

    const db = store('crash')
    const random = prng(2027)
    let kills = 0
    let completed = 0
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
    console.log(`crash safety (PostgreSQL): ${kills} kill -9 spread over a ${pages}-page run, ${completed} reruns completed before the final one`)
    expect(kills).toBeGreaterThanOrEqual(20)
    expect(await storePictureOf(db)).toEqual(await storePictureOf(reference))
  }, 600_000)
})
