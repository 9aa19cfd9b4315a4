/**
 * `--lanes list+search` (src/core/search-lane.ts) against the real emulator over loopback, the CLI
 * as a child process: the same store as `--lanes list` (exports byte-identical), every record read
 * once, the requests split between the list and search buckets as expected, resumable after
 * kill -9, the next run incremental as before, and within the emulator's default limits
 * (190/10 s and HubSpot's 5 searches per second) without a single 429.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, jsonOf, makePortal, runCli, storeIndexes, storePicture, tempDir} from '../conformance/sync-harness.js'
import {killLoop} from '../helpers/kill-loop.js'

interface Summary {
  status: string
  streams: Array<{stream: string; fetched: number; requests: number; searchRequests: number; rateLimited: number; mode?: string}>
}

const ENTITIES = ['contacts', 'deals', 'appointments', 'divisions', 'associations']

let emu: RunningEmulator
let portal: string

beforeAll(async () => {
  portal = await makePortal({contacts: 900, deals: 240, appointments: 150, divisions: 8, sharedTimestamp: 60, seed: 41})
  emu = await emulator(portal)
})
afterAll(async () => {
  await emu?.stop()
})

function portalCount(entity: string): number {
  const file = join(portal, `${entity}.ndjson`)
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length
}

async function exportAll(db: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of ENTITIES) {
    const file = join(tempDir(), `${e}.ndjson`)
    const r = await runCli(['export', e, '--format', 'ndjson', '--db', db, '--out', file], {})
    expect(r.code, r.stderr).toBe(0)
    out[e] = readFileSync(file, 'utf8')
  }
  return out
}

async function fullSync(db: string, lanes: string, extra: string[] = []): Promise<{summary: Summary; list: number; search: number}> {
  const before = {...emu.stats.byEndpoint}
  const r = await runCli(['sync', 'all', '--full', '--lanes', lanes, '--db', db, '--base-url', emu.url, '--json', ...extra], {})
  expect(r.code, r.stderr).toBe(0)
  return {summary: jsonOf<Summary>(r), list: emu.stats.byEndpoint.list - before.list, search: emu.stats.byEndpoint.search - before.search}
}

describe('sync --lanes list+search', () => {
  it('gives a store identical to --lanes list, each record read once, fewer list requests and the rest through search', async () => {
    const listDb = join(tempDir(), 'list.db')
    const bothDb = join(tempDir(), 'both.db')
    const list = await fullSync(listDb, 'list')
    const both = await fullSync(bothDb, 'list+search')
    expect(await exportAll(bothDb)).toEqual(await exportAll(listDb))
    expect(storePicture(bothDb)).toEqual(storePicture(listDb))

    const contacts = (s: Summary) => s.streams.find((x) => x.stream === 'contacts')!
    // exactly once: what the two lanes kept adds up to the portal, as the list alone does
    for (const e of ['contacts', 'deals', 'appointments', 'divisions']) {
      const a = list.summary.streams.find((x) => x.stream === e)!
      const b = both.summary.streams.find((x) => x.stream === e)!
      expect(b.fetched, e).toBe(a.fetched)
      expect(a.fetched, e).toBe(portalCount(e))
    }
    expect(list.search).toBe(0)
    expect(contacts(list.summary).searchRequests).toBe(0)
    expect(both.search).toBeGreaterThan(0)
    expect(contacts(both.summary).searchRequests).toBeGreaterThan(0)
    // search pages hold 200 records, list pages 100: the list saves about two requests per search page
    expect(both.list).toBeLessThan(list.list)
    expect(list.list - both.list).toBeGreaterThanOrEqual(contacts(both.summary).searchRequests)
  })

  it('the next run is incremental as before (search from the cursor, nothing changed)', async () => {
    const db = join(tempDir(), 'incr.db')
    await fullSync(db, 'list+search')
    const r = await runCli(['sync', 'contacts', '--lanes', 'list+search', '--db', db, '--base-url', emu.url, '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const s = jsonOf<Summary>(r).streams[0]
    expect(s.mode).toBe('incremental')
    expect(s.fetched).toBeLessThan(portalCount('contacts'))
  })

  it('kill -9 at random moments of a two-lane full run, each followed by a rerun, ends identical to an uninterrupted run', async () => {
    const args = (db: string) => ['sync', 'all', '--lanes', 'list+search', '--batch-size', '10', '--db', db, '--base-url', emu.url]
    const reference = join(tempDir(), 'ref.db')
    const db = join(tempDir(), 'crash.db')
    // the object streams come first: kill within their pages, where the two lanes run
    const {kills} = await killLoop({args, reference, db, seed: 1313, kills: 10, maxRuns: 30, spreadOver: 30})
    expect(kills).toBeGreaterThanOrEqual(8)
    expect(storePicture(db)).toEqual(storePicture(reference))
    expect(storeIndexes(db)).toEqual(storeIndexes(reference))
    expect(await exportAll(db)).toEqual(await exportAll(reference))
  }, 900_000)

  it("stays within the emulator's default limits (190/10 s, 5 searches/s): no 429, search pages from their own bucket", async () => {
    const limited = await emulator(portal, {rateLimit: undefined})
    try {
      const db = join(tempDir(), 'limited.db')
      const r = await runCli(['sync', 'contacts', '--full', '--lanes', 'list+search', '--db', db, '--base-url', limited.url, '--json'], {CRMSYNC_RATE_LIMIT: undefined})
      expect(r.code, r.stderr).toBe(0)
      const s = jsonOf<Summary>(r).streams[0]
      expect(s.fetched).toBe(portalCount('contacts'))
      expect(s.searchRequests).toBeGreaterThan(0)
      expect(s.rateLimited).toBe(0)
      expect(limited.stats.rateLimited).toEqual({TEN_SECONDLY_ROLLING: 0, SECONDLY: 0, DAILY: 0})
    } finally {
      await limited.stop()
    }
  })

  it('refuses an unknown lane mode with exit 2, naming the choices', async () => {
    const r = await runCli(['sync', 'contacts', '--lanes', 'search', '--db', join(tempDir(), 'x.db'), '--base-url', emu.url], {})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--lanes "search" is not a lane mode/)
    expect(r.stderr).toMatch(/list, list\+search/)
  })
})
