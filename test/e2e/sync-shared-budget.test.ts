/**
 * `--shared-budget redis://...`: two sync processes of one portal draw from one budget in Redis
 * (the local server on 127.0.0.1:6379, which this machine starts for every session and CI run),
 * so together they stay within the portal's limit. The control run without it gets 429s, which
 * shows that the shared budget is what keeps them out.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'

const REDIS = process.env.CRMSYNC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

let emu: RunningEmulator | undefined
afterEach(async () => {
  await emu?.stop()
  emu = undefined
})

async function twoProcesses(shared: boolean): Promise<{codes: Array<number | null>; rateLimited: number; requests: number; stderr: string}> {
  // 400 contacts in pages of 5: some 4 s of requests per process at 20/s, so the two overlap even when
  // a loaded machine starts one of them a few seconds late (with 240 contacts the control once saw no 429)
  emu = await emulator(await makePortal({contacts: 400, deals: 10, appointments: 10, divisions: 2, seed: 5}), {rateLimit: '20/1s'})
  const dir = tempDir()
  const args = (n: number) => ['sync', 'contacts', '--full', '--batch-size', '5', '--db', join(dir, `p${n}.db`), '--base-url', emu!.url, ...(shared ? ['--shared-budget', REDIS] : [])]
  const env = {CRMSYNC_RATE_LIMIT: '20/1s'}
  const runs = await Promise.all([runCli(args(1), env), runCli(args(2), env)])
  const rateLimited = Object.values(emu.stats.rateLimited as Record<string, number>).reduce((a, b) => a + b, 0)
  return {codes: runs.map((r) => r.code), rateLimited, requests: emu.stats.requests, stderr: runs.map((r) => r.stderr).join('\n')}
}

describe('sync --shared-budget', () => {
  it('two processes of one portal share one budget through Redis: no 429', async () => {
    const r = await twoProcesses(true)
    expect(r.codes, r.stderr).toEqual([0, 0])
    expect(r.requests).toBeGreaterThan(150) // over seven windows' worth, so sharing was tested
    expect(r.rateLimited).toBe(0)
  }, 60_000)

  it('without it the same two processes exceed the portal limit (control)', async () => {
    const r = await twoProcesses(false)
    expect(r.codes, r.stderr).toEqual([0, 0]) // retried, nothing lost
    expect(r.rateLimited).toBeGreaterThan(0)
  }, 60_000)

  it('rejects a bad Redis URL and --rate-limit none with a usage error, writing nothing', async () => {
    const dir = tempDir()
    const bad = await runCli(['sync', 'contacts', '--db', join(dir, 'x.db'), '--base-url', 'http://127.0.0.1:9', '--shared-budget', 'http://nope'], {CRMSYNC_RATE_LIMIT: undefined})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/is not supported.*redis:\/\/HOST:PORT/s)
    const none = await runCli(['sync', 'contacts', '--db', join(dir, 'y.db'), '--base-url', 'http://127.0.0.1:9', '--shared-budget', REDIS], {CRMSYNC_RATE_LIMIT: 'none'})
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/--shared-budget cannot be combined with --rate-limit none/)
    expect(existsSync(join(dir, 'x.db')) || existsSync(join(dir, 'y.db'))).toBe(false)
  })
})
