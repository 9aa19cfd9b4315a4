/** `crmsync portal record` progress off a terminal: one line per step and entity as it ends (JSON with --log-format json), the records of each. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type RunningEmulator} from '../../src/emulator/index.js'
import {crmsync} from '../helpers/cli.js'
import {emulator, makePortal, TOKEN} from '../conformance/sync-harness.js'

let dir: string
let emu: RunningEmulator
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-record-progress-'))
  emu = await emulator(await makePortal({contacts: 50, deals: 10, appointments: 10, divisions: 3, seed: 21}), {rateLimit: '50/10s'})
})
afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
})

describe('portal record progress', () => {
  it('writes a line per step and entity with its records, and nothing with --progress none', async () => {
    const env = {HOME: dir, CRMSYNC_CONFIG: '', HUBSPOT_ACCESS_TOKEN: TOKEN, CRMSYNC_PROGRESS: undefined}
    const r = await crmsync(['portal', 'record', '--out', join(dir, 'snap'), '--base-url', emu.url, '--log-format', 'json'], {env, raw: true})
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {command: string; stream: string; state: string; records: number})
    const done = new Map(lines.filter((l) => l.state === 'done').map((l) => [l.stream, l.records]))
    expect(lines.every((l) => l.command === 'portal record')).toBe(true)
    expect(done.get('records contacts')).toBe(50)
    expect(done.has('associations')).toBe(true)
    expect(r.stderr).not.toContain(TOKEN)
    const quiet = await crmsync(['portal', 'record', '--out', join(dir, 'snap2'), '--base-url', emu.url, '--progress', 'none'], {env, raw: true})
    expect(quiet.code, quiet.stderr).toBe(0)
    expect(quiet.stderr).toBe('')
  })
})
