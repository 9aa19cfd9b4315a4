/**
 * What keeps a `sync` process small (docs/sync.md, Memory), checked on a real run rather than by
 * an RSS threshold (too noisy on a shared machine):
 * - no ICU formatting data: Intl.NumberFormat / Intl.DateTimeFormat / toLocaleString load about
 *   5 MB of ICU's data into the process (measured as RssFile), so the progress lines group digits
 *   by hand and the daily limit's UTC midnight is computed without Intl. A trace hook
 *   (test/helpers/trace-intl.mjs) records every such call in the CLI child.
 * - a young generation that never grows in a paced run (or with CRMSYNC_HEAP=small): bin/run.js
 *   sets the heap mode (src/cli/heap-mode.ts) before oclif loads, so the new space stays at its minimum, 2 x 1 MB, for the whole run. Set
 *   after the CLI had loaded it froze at 2 x 4 MB, and with V8's defaults it grows to 2 x 16 MB
 *   (test/helpers/trace-young-gen.mjs samples it every 5 ms).
 */
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {ROOT} from '../helpers/cli.js'
import {emulator, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'

let portal: string
let emu: RunningEmulator
let dir: string

beforeAll(async () => {
  portal = await makePortal({contacts: 2000, deals: 500, appointments: 400, divisions: 10, seed: 13})
  emu = await emulator(portal)
  dir = tempDir('crmsync-memory-')
})
afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
  rmSync(join(portal, '..'), {recursive: true, force: true})
})

describe('sync memory guards', () => {
  it('a sync all with progress lines never loads ICU formatting data (no Intl.NumberFormat, DateTimeFormat or toLocaleString)', async () => {
    const trace = join(dir, 'intl.txt')
    const hook = pathToFileURL(join(ROOT, 'test/helpers/trace-intl.mjs')).href
    const r = await runCli(['sync', 'all', '--db', join(dir, 'store.db'), '--base-url', emu.url, '--json', '--progress', 'lines', '--progress-interval', '1s'], {
      NODE_OPTIONS: `--import ${hook}`,
      CRMSYNC_TRACE_INTL: trace,
      CRMSYNC_HEAP: undefined,
    })
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0)
    expect(r.stderr).toMatch(/contacts: [\d,]+/) // the progress lines were written
    expect(existsSync(trace)).toBe(true)
    const lines = readFileSync(trace, 'utf8').trim().split('\n')
    expect(lines[0]).toMatch(/^traced \d+$/) // the hook ran in the CLI child
    expect(lines.slice(1)).toEqual([])
  })
  it("a paced sync all keeps the young generation at its minimum from start to end (heap mode set before the CLI loads); an unpaced one gets V8's defaults unless CRMSYNC_HEAP=small", async () => {
    const trace = join(dir, 'young-gen.json')
    const hook = pathToFileURL(join(ROOT, 'test/helpers/trace-young-gen.mjs')).href
    const youngMb = async (name: string, env: Record<string, string | undefined>): Promise<number> => {
      const r = await runCli(['sync', 'all', '--db', join(dir, `${name}.db`), '--base-url', emu.url, '--json'], {NODE_OPTIONS: `--import ${hook}`, CRMSYNC_TRACE_HEAP: trace, ...env})
      expect(r.code, r.stderr.slice(0, 2000)).toBe(0)
      return (JSON.parse(readFileSync(trace, 'utf8')) as {maxNewSpaceMb: number}).maxNewSpaceMb
    }
    // paced (the portal fits in the first 10-s window, so nothing waits): V8's minimum is 2 x 1 MB
    // (Node 20); frozen after oclif loaded it stayed at 8 MB
    expect(await youngMb('paced', {CRMSYNC_HEAP: undefined, CRMSYNC_RATE_LIMIT: '190/10s'})).toBeLessThanOrEqual(2)
    // unpaced: V8's defaults grow it (the sampling sees growth when there is some) ...
    expect(await youngMb('unpaced', {CRMSYNC_HEAP: undefined, CRMSYNC_RATE_LIMIT: 'none'})).toBeGreaterThan(2)
    // ... unless the small heap is asked for
    expect(await youngMb('unpaced-small', {CRMSYNC_HEAP: 'small', CRMSYNC_RATE_LIMIT: 'none'})).toBeLessThanOrEqual(2)
  })
})
