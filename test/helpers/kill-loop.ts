/**
 * The sync kill -9 loop shared by the crash tests (SQLite, PostgreSQL, two lanes): an uninterrupted
 * reference run counts its pages, then runs on another store are killed a random 0-15 ms after a
 * random number of written pages (1 to pages/`spreadOver`), so the kills land at random points
 * spread over the first part of the run's progress however fast or slow the machine is, each kill
 * followed by the next run, until `kills` kills; a last run then finishes the store. The caller
 * compares the store with the reference.
 */
import {expect} from 'vitest'
import {prng} from '../../src/portal/prng.js'
import {runCli} from '../conformance/sync-harness.js'

export interface KillLoopOptions {
  /** the sync command's arguments for a store (`--debug` is added where pages are counted) */
  args: (db: string) => string[]
  /** the store of the uninterrupted run, and the store that is killed */
  reference: string
  db: string
  /** seed of the kill moments (random but reproducible) */
  seed: number
  /** stop after this many kills, or after `maxRuns` runs */
  kills: number
  maxRuns: number
  /** kills land within the first pages/spreadOver pages of each run */
  spreadOver: number
}

export interface KillLoopResult {
  /** pages of the uninterrupted run, and its stderr */
  pages: number
  referenceStderr: string
  kills: number
  /** runs that finished before their kill */
  completed: number
}

export async function killLoop(o: KillLoopOptions): Promise<KillLoopResult> {
  const ref = await runCli([...o.args(o.reference), '--debug'], {})
  expect(ref.code, ref.stderr).toBe(0)
  const pages = ref.stderr.match(/"msg":"page"/g)?.length ?? 0
  expect(pages).toBeGreaterThan(40)
  const random = prng(o.seed)
  const spread = Math.max(2, Math.floor(pages / o.spreadOver))
  let kills = 0
  let completed = 0
  for (let i = 0; i < o.maxRuns && kills < o.kills; i++) {
    const r = await runCli([...o.args(o.db), '--debug'], {}, {killAfterPages: 1 + Math.floor(random() * spread), killDelayMs: Math.floor(random() * 16)})
    if (r.signal === 'SIGKILL') kills++
    else {
      expect(r.code, r.stderr).toBe(0)
      completed++
    }
  }
  const last = await runCli(o.args(o.db), {})
  expect(last.code, last.stderr).toBe(0)
  return {pages, referenceStderr: ref.stderr, kills, completed}
}
