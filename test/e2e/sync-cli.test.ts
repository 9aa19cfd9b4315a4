import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, jsonOf, makePortal, runCli, tempDir, TOKEN} from '../conformance/sync-harness.js'

let portal: string
let emu: RunningEmulator
let denied: RunningEmulator

beforeAll(async () => {
  portal = await makePortal({contacts: 40, deals: 12, appointments: 10, divisions: 3, sharedTimestamp: 8, seed: 55})
  emu = await emulator(portal)
  denied = await emulator(portal, {deniedScopes: ['deals']})
})
afterAll(async () => {
  await emu?.stop()
  await denied?.stop()
})

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')

describe('sync --dry-run', () => {
  it('leaves the store byte-identical (and creates none) while reporting what would change', async () => {
    const dir = tempDir()
    const db = join(dir, 'store.db')
    const none = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--dry-run', '--json'], {})
    expect(none.code, none.stderr).toBe(0)
    expect(readdirSync(dir)).toEqual([])
    const planned = jsonOf<{dryRun: boolean; totals: {inserted: number}}>(none)
    expect(planned.dryRun).toBe(true)
    expect(planned.totals.inserted).toBeGreaterThan(40)

    const first = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url], {})
    expect(first.code, first.stderr).toBe(0)
    const before = sha(db)
    const files = readdirSync(dir).sort()
    emu.mutate({kind: 'create', entity: 'contacts', properties: {email: 'dry@example.com'}})
    const dry = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--dry-run', '--json'], {})
    expect(dry.code, dry.stderr).toBe(0)
    const s = jsonOf<{streams: Array<{stream: string; counts: {inserted: number}}>}>(dry)
    expect(s.streams.find((x) => x.stream === 'contacts')!.counts.inserted).toBe(1)
    expect(sha(db)).toBe(before)
    expect(readdirSync(dir).sort()).toEqual(files)
  })
})

describe('custom objects by configuration', () => {
  it('syncs a configured object (here the divisions schema under another entity name) with sync ENTITY', async () => {
    const dir = tempDir()
    const cfg = join(dir, 'objects.yaml')
    writeFileSync(cfg, 'objects:\n  - entity: regions\n    objectType: divisions\n    properties: [division_name, region]\n')
    const r = await runCli(['sync', 'regions', '--objects', cfg, '--db', join(dir, 's.db'), '--base-url', emu.url, '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const s = jsonOf<{streams: Array<{stream: string; counts: {inserted: number}}>}>(r)
    expect(s.streams.map((x) => x.stream)).toEqual(['regions'])
    expect(s.streams[0].counts.inserted).toBeGreaterThan(0)
  })
})

describe('sync: bad input', () => {
  const dir = tempDir()
  const db = join(dir, 'never.db')
  const cases: Array<[string, string[], Record<string, string | undefined>, number, RegExp]> = [
    ['unknown entity', ['sync', 'widgets'], {}, 2, /unknown entity "widgets".*contacts/s],
    ['bad --since', ['sync', 'contacts', '--since', '2026-13-45'], {}, 2, /--since.*YYYY-MM-DD/s],
    ['batch size 0', ['sync', 'contacts', '--batch-size', '0'], {}, 2, /--batch-size 0.*1\.\.100/s],
    ['batch size over the list maximum', ['sync', 'all', '--batch-size', '101'], {}, 2, /--batch-size 101.*1\.\.100/s],
    ['batch size over the associations maximum', ['sync', 'associations', '--batch-size', '1001'], {}, 2, /1\.\.1000/],
    ['missing token', ['sync', 'contacts'], {HUBSPOT_ACCESS_TOKEN: '', HOME: dir}, 2, /HUBSPOT_ACCESS_TOKEN/],
    ['401', ['sync', 'contacts'], {HUBSPOT_ACCESS_TOKEN: 'wrong-token-abcdef'}, 1, /401.*token/s],
  ]
  for (const [name, args, env, exit, message] of cases) {
    it(`${name}: clear message, exit ${exit}, nothing written`, async () => {
      const r = await runCli([...args, '--db', db, '--base-url', emu.url], env)
      expect(r.code, r.stdout + r.stderr).toBe(exit)
      expect(r.stderr).toMatch(message)
      expect(existsSync(db)).toBe(false)
      expect(r.stdout + r.stderr).not.toContain(TOKEN)
      expect(r.stdout + r.stderr).not.toContain('wrong-token-abcdef')
    })
  }

  it('403 missing scope: names the scope and the fix, exit 1, nothing written', async () => {
    const r = await runCli(['sync', 'deals', '--db', db, '--base-url', denied.url], {})
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/403/)
    expect(r.stderr).toMatch(/scope/i)
    expect(existsSync(db)).toBe(false)
  })

  it('unreadable db path: exit 2 naming the path', async () => {
    const sub = join(dir, 'is-a-dir')
    mkdirSync(sub)
    const r = await runCli(['sync', 'contacts', '--db', sub, '--base-url', emu.url], {})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('is-a-dir')
    const missing = await runCli(['sync', 'contacts', '--db', join(dir, 'no/such/dir/x.db'), '--base-url', emu.url], {})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/does not exist/)
  })

  it('--debug logs structured JSON to stderr and never the token', async () => {
    const d = join(tempDir(), 'debug.db')
    const r = await runCli(['sync', 'divisions', '--db', d, '--base-url', emu.url, '--debug'], {})
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('{'))
    expect(lines.length).toBeGreaterThan(2)
    expect(lines.map((l) => JSON.parse(l).msg)).toContain('hubspot request')
    expect(r.stderr + r.stdout).not.toContain(TOKEN)
    expect(r.stdout).toMatch(/divisions/)
  })
})
