/**
 * Crash safety on the PostgreSQL store: kill -9 at random moments of a PostgreSQL-backed sync, each
 * followed by a rerun, ends identical to an uninterrupted run (each page commits with its checkpoint
 * in one transaction; a killed connection's open transaction is rolled back by the server).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, makePortal, storePictureOf} from '../conformance/sync-harness.js'
import {killLoop} from '../helpers/kill-loop.js'
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
    const db = store('crash')
    const {pages, referenceStderr, kills, completed} = await killLoop({args, reference, db, seed: 2027, kills: 22, maxRuns: 60, spreadOver: 22})
    // pg 8 warned once per run that a query was sent on a client still busy (the pool's connect-time SET): the session now passes its settings as startup options
    expect(referenceStderr).not.toMatch(/DeprecationWarning|Warning:/)
    console.log(`crash safety (PostgreSQL): ${kills} kill -9 spread over a ${pages}-page run, ${completed} reruns completed before the final one`)
    expect(kills).toBeGreaterThanOrEqual(20)
    expect(await storePictureOf(db)).toEqual(await storePictureOf(reference))
  }, 600_000)
})
