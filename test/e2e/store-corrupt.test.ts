/**
 * A store damaged mid-file (issue 11, risk "corrupted store"): every command that reads it names the
 * file and the fix (`sync all --full` into a new store), exit 1, instead of a bare
 * "database disk image is malformed".
 */
import {closeSync, openSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let db: string
let dir: string
beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 300, deals: 20, appointments: 5, divisions: 2, sharedTimestamp: 4, seed: 21}))
  dir = tempDir('crmsync-corrupt-')
  db = join(dir, 'store.db')
  const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url], {})
  if (r.code !== 0) throw new Error(r.stderr)
  // overwrite the contacts table's root page (its b-tree header) with garbage, leave page 1 intact
  const raw = new Database(db)
  raw.pragma('wal_checkpoint(TRUNCATE)')
  const {rootpage} = raw.prepare("SELECT rootpage FROM sqlite_master WHERE name = (SELECT table_name FROM entities WHERE entity = 'contacts')").get() as {rootpage: number}
  const pageSize = raw.pragma('page_size', {simple: true}) as number
  raw.close()
  const fd = openSync(db, 'r+')
  writeSync(fd, Buffer.alloc(64, 0xee), 0, 64, (rootpage - 1) * pageSize)
  closeSync(fd)
  writeFileSync(join(dir, 'mapping.json'), JSON.stringify({version: 1, entities: {contacts: {model: 'crm.contact', table: 'crm_contact', key: {legacy: 'hubspot_id'}}}}))
  writeFileSync(join(dir, 'legacy.jsonl'), '{"model": "crm.contact", "pk": 1, "fields": {"hubspot_id": "1"}}\n')
}, 120_000)
afterAll(async () => {
  await emu?.stop()
})

const flat = (s: string) => s.replace(/\s*\n\s*›?\s*/g, ' ')

describe('a store damaged mid-file', () => {
  const cases: Array<[string, () => string[]]> = [
    ['export contacts', () => ['export', 'contacts', '--db', db, '--out', join(dir, 'c.ndjson')]],
    ['sync contacts', () => ['sync', 'contacts', '--db', db, '--base-url', emu.url]],
    ['parity diff', () => ['parity', 'diff', '--legacy', join(dir, 'legacy.jsonl'), '--mapping', join(dir, 'mapping.json'), '--db', db, '--out', join(dir, 'r')]],
  ]
  for (const [name, args] of cases) {
    it(`${name}: exit 1 naming the file and the fix`, async () => {
      const r = await runCli(args(), {})
      const err = flat(r.stderr)
      expect(err, err).toContain(`store ${db} is damaged`)
      expect(err).toContain('crmsync sync all --full --db NEW.db')
      expect(r.code, err).toBe(1)
    })
  }
})
