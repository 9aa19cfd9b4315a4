/**
 * What keeps a `sync` process small (docs/sync.md, Memory), checked on a real run rather than by
 * an RSS threshold (too noisy on a shared machine):
 * - no ICU formatting data: Intl.NumberFormat / Intl.DateTimeFormat / toLocaleString load about
 *   5 MB of ICU's data into the process (measured as RssFile), so the progress lines group digits
 *   by hand and the daily limit's UTC midnight is computed without Intl. A trace hook
 *   (test/helpers/trace-intl.mjs) records every such call in the CLI child.
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
    })
    expect(r.code, r.stderr.slice(0, 2000)).toBe(0)
    expect(r.stderr).toMatch(/contacts: [\d,]+/) // the progress lines were written
    expect(existsSync(trace)).toBe(true)
    const lines = readFileSync(trace, 'utf8').trim().split('\n')
    expect(lines[0]).toMatch(/^traced \d+$/) // the hook ran in the CLI child
    expect(lines.slice(1)).toEqual([])
  })
})
