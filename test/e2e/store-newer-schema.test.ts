/**
 * A store written by a newer crmsync (schema version above this code's) is refused, exit 2, by every
 * command that reads or writes it (sync all, sync status, export, parity diff), before the file is
 * touched: same bytes, same mtime, no -wal/-shm beside it, journal mode unchanged (issue 11, item 5).
 */
import {createHash} from 'node:crypto'
import {copyFileSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {openStore} from '../../src/store/open.js'
import {emulator, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let dir: string
let template: string
const picture = (f: string) => ({sha: createHash('sha256').update(readFileSync(f)).digest('hex'), mtimeMs: statSync(f).mtimeMs, wal: existsSync(`${f}-wal`), shm: existsSync(`${f}-shm`)})

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 40, deals: 10, appointments: 5, divisions: 2, sharedTimestamp: 4, seed: 3}))
  dir = tempDir('crmsync-newer-')
  const db = (template = join(dir, 'newer.db'))
  const s = openStore(db)
  s.ensureEntity({entity: 'contacts', properties: []})
  s.close()
  // what a future crmsync might leave: rollback journal, schema version 99
  const raw = new Database(db)
  raw.pragma('journal_mode = DELETE')
  raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01')").run()
  raw.close()
  writeFileSync(join(dir, 'legacy.jsonl'), '{"model": "crm.contact", "pk": 1, "fields": {"hubspot_id": "1"}}\n')
})
afterAll(async () => {
  await emu?.stop()
})

describe('a store with a newer schema version', () => {
  const cases: Array<[string, (db: string) => string[]]> = [
    ['sync all', (db) => ['sync', 'all', '--db', db, '--base-url', emu.url]],
    ['sync contacts', (db) => ['sync', 'contacts', '--db', db, '--base-url', emu.url]],
    ['sync status', (db) => ['sync', 'status', '--db', db]],
    ['export', (db) => ['export', 'contacts', '--db', db, '--out', join(dir, 'out.ndjson')]],
    ['parity diff', (db) => ['parity', 'diff', '--legacy', join(dir, 'legacy.jsonl'), '--mapping', 'fixtures/mappings/legacy-django.json', '--db', db, '--out', join(dir, 'reports')]],
  ]
  for (const [name, args] of cases) {
    it(`${name}: exit 2 naming the version, the file untouched`, async () => {
      const db = join(dir, `${name.replace(' ', '-')}.db`) // a copy per command: one failure cannot hide another
      copyFileSync(template, db)
      const before = picture(db)
      expect(before.wal).toBe(false)
      const r = await runCli(args(db), {})
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr.replace(/\s*\n\s*›?\s*/g, ' ')).toMatch(/schema version 99, newer than this crmsync understands/)
      expect(picture(db)).toEqual(before)
      const raw = new Database(db, {readonly: true})
      expect(raw.pragma('journal_mode', {simple: true})).toBe('delete')
      raw.close()
    })
  }
})
