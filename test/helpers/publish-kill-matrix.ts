/**
 * The publish kill -9 matrix, for every source store (a SQLite file or a postgres:// store): N
 * publishes into fresh legacy-like PostgreSQL schemas, each killed at a random moment (most inside a
 * batch's transaction), each followed by a rerun; every target must then equal an uninterrupted
 * publish of the same store.
 */
import {expect} from 'vitest'
import {runCli} from '../conformance/sync-harness.js'
import {flatten} from './cli.js'
import {PG_URL, pgSchema, picture} from './django-target.js'
import {seedLegacy} from './publish-scenario.js'

export interface KillMatrixResult {
  /** publishes killed before they finished */
  killed: number
  /** publishes started (killed ones and ones that finished before their kill) */
  tries: number
}

/** Run the matrix for `store` with `mapping`; returns how many publishes were killed mid-run (the caller asserts it). */
export async function publishKillMatrix(store: string, mapping: string, kills = 20): Promise<KillMatrixResult> {
  const publish = (schema: string, extra: string[] = [], env: Record<string, string> = {}, opts = {}) =>
    runCli(['publish', '--mapping', mapping, '--db', store, '--to', PG_URL, '--schema', schema, ...extra], env, opts)
  const ref = await pgSchema('crmsync_pubref')
  try {
    await seedLegacy(ref.db, store)
    // batches of 40 rows, each held open 30 ms inside its transaction: most kills land mid-transaction
    const slow = {CRMSYNC_PUBLISH_BATCH_DELAY_MS: '30'}
    // the uninterrupted publish, timed: kills are drawn from its own duration on this machine, so that
    // a fast machine does not finish most publishes before their kill (a fixed 0.3-2 s window once
    // killed only 19 of 40 on an idle machine)
    const started = performance.now()
    const done = await publish(ref.name, ['--batch-size', '40'], slow)
    const lasted = performance.now() - started
    expect(done.code, flatten(done.stderr)).toBe(0)
    const want = await picture(ref.db)
    let killed = 0
    let tries = 0
    for (; killed < kills && tries < 2 * kills; tries++) {
      const s = await pgSchema('crmsync_pubkill')
      try {
        await seedLegacy(s.db, store)
        const r = await publish(s.name, ['--batch-size', '40'], slow, {killAfterMs: Math.floor(lasted * (0.2 + 0.75 * Math.random()))})
        if (r.signal === 'SIGKILL') killed++
        const rerun = await publish(s.name)
        expect(rerun.code, flatten(rerun.stderr)).toBe(0)
        expect(await picture(s.db), `try ${tries}`).toEqual(want)
      } finally {
        await s.drop()
      }
    }
    return {killed, tries}
  } finally {
    await ref.drop()
  }
}
