import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePicture, tempDir} from '../conformance/sync-harness.js'

interface Summary {
  status: string
  totals: {requests: number; rateLimited: number; retries: number; deadLetters: number; fetched: number}
}

let portal: string
const running: RunningEmulator[] = []

beforeAll(async () => {
  portal = await makePortal({contacts: 60, deals: 20, appointments: 15, divisions: 4, sharedTimestamp: 10, seed: 44})
})
afterAll(async () => {
  for (const e of running) await e.stop()
})

const MATRIX: Array<[string, string]> = [
  ['429 ten_secondly with Retry-After', '429-burst:every=7,count=2,policy=ten_secondly,retry-after=1'],
  ['429 ten_secondly without Retry-After', '429-burst:every=7,count=2,policy=ten_secondly,retry-after=off'],
  ['429 secondly (search) with Retry-After', '429-burst:every=5,count=1,policy=secondly,retry-after=1'],
  ['429 secondly without Retry-After', '429-burst:every=5,count=1,policy=secondly,retry-after=off'],
  ['5xx', '5xx:every=4,status=503'],
  ['connection resets', 'reset:every=5'],
  ['malformed JSON', 'malformed:every=6'],
]

describe('fault matrix: nothing lost, nothing duplicated', () => {
  for (const [name, faults] of MATRIX) {
    it(name, async () => {
      const emu = await emulator(portal, {faults})
      running.push(emu)
      const db = join(tempDir(), 'store.db')
      const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--json'], {})
      expect(r.code, r.stderr + r.stdout).toBe(0)
      const s = jsonOf<Summary>(r)
      console.log(
        `fault ${name}: ${s.totals.requests} requests, ${s.totals.rateLimited} 429s, ${s.totals.retries} retries, ${s.totals.deadLetters} dead letters; emulator faults ${JSON.stringify(emu.stats.faults)}`,
      )
      expect(s.totals.retries).toBeGreaterThan(0)
      expect(s.totals.deadLetters).toBe(0)
      expect(storePicture(db)).toEqual(emulatorPicture(emu))
    })
  }

  it('daily limit: stops with exit 1, a checkpoint and when to resume; the rerun next day completes', async () => {
    let clock = Date.parse('2026-03-10T12:00:00Z')
    const emu = await emulator(portal, {dailyLimit: 20, now: () => clock})
    running.push(emu)
    const db = join(tempDir(), 'store.db')
    // no progress display: its count request per stream would take 4 of each day's 20 requests
    const args = ['sync', 'all', '--db', db, '--base-url', emu.url, '--batch-size', '20', '--progress', 'none']
    const r = await runCli(args, {})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/daily/i)
    expect(r.stderr).toMatch(/resume|rerun/i)
    console.log(
      `daily limit: ${r.stderr
        .split('\n')
        .find((l) => /daily/i.test(l))
        ?.trim()}`,
    )
    // each day allows 20 requests more: rerun daily until the run completes from its checkpoints
    let days = 0
    let again = r
    while (again.code !== 0 && days < 6) {
      clock += 24 * 3600 * 1000
      days++
      again = await runCli(args, {})
      if (again.code !== 0) expect(again.stderr).toMatch(/daily/i)
    }
    expect(again.code, again.stderr).toBe(0)
    console.log(`daily limit: completed after ${days} more day(s) of 20 requests`)
    expect(storePicture(db)).toEqual(emulatorPicture(emu))
  })
})
