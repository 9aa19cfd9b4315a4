import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {DryRunStore} from '../../src/store/dry-run-store.js'
import {openStore} from '../../src/store/open.js'
import type {SqliteStore} from '../../src/store/sqlite-store.js'
import type {CrmRecord} from '../../src/core/records.js'
import {prop, rec, tmpDir} from './store-helpers.js'

const hash = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
const types = [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label: null}]

function seed(file: string): void {
  const s = openStore(file)
  s.ensureEntity({entity: 'contacts', properties: [prop('email')]})
  s.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'}), rec('2', {email: 'b'}), rec('3', {email: 'c'})], {after: '3'})
  s.replaceAssociations('assoc', 'contacts', 'deals', ['1'], [{fromType: 'contacts', fromId: '1', toType: 'deals', toId: '9', types}], {n: 1})
  s.replaceAssociations(
    'assoc2',
    'deals',
    'contacts',
    ['9'],
    [
      {fromType: 'deals', fromId: '9', toType: 'contacts', toId: '3', types},
      {fromType: 'deals', fromId: '9', toType: 'contacts', toId: '1', types},
    ],
    null,
  )
  const run = s.startRun('sync all', false)
  s.finishRun(run, {status: 'ok'})
  s.close()
}

/** The same sequence of writes against both synchronous stores (the real one and the dry run); returns every count it got. */
function workload(s: SqliteStore | DryRunStore): unknown[] {
  const out: unknown[] = []
  s.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('score', 'number')]})
  const page: CrmRecord[] = [
    rec('1', {email: 'a'}),
    rec('2', {email: 'B'}, {updatedAt: '2024-06-01T00:00:00.000Z'}),
    rec('4', {email: 'd'}),
    rec('3', {email: 'c'}, {archived: true, archivedAt: '2024-06-02T00:00:00.000Z'}),
  ]
  out.push(s.applyRecords('contacts', 'contacts', page, {after: '4'}))
  out.push(s.applyRecords('contacts', 'contacts', [rec('4', {email: 'd'}), rec('5', {email: 'e'})], {after: '5'})) // look-back repeat
  out.push(s.applyMerges('contacts', 'contacts', [{loserId: '2', survivorId: '1'}], null))
  out.push(s.replaceAssociations('assoc', 'contacts', 'deals', ['1', '4'], [{fromType: 'contacts', fromId: '4', toType: 'deals', toId: '9', types}], {n: 2}))
  // the deal side: its stored edge to contact 3 was dropped when 3 became a tombstone
  out.push(s.replaceAssociations('assoc2', 'deals', 'contacts', ['9'], [{fromType: 'deals', fromId: '9', toType: 'contacts', toId: '4', types}], null))
  out.push(s.getCheckpoint('contacts'), s.getCheckpoint('assoc'))
  out.push([...s.liveIds('contacts')])
  s.addDeadLetter({stream: 'contacts', recordId: '6', payload: {id: '6'}, reason: 'bad'})
  const run = s.startRun('sync contacts', true)
  s.finishRun(run, {status: 'ok', requests: 3})
  return out
}

describe('DryRunStore', () => {
  it('computes the same counts as a real run while leaving the store byte-identical', () => {
    const dir = tmpDir()
    const file = path.join(dir, 'store.db')
    seed(file)
    const copy = path.join(dir, 'copy.db')
    fs.copyFileSync(file, copy)
    const before = hash(file)
    const mtime = fs.statSync(file).mtimeMs

    const dry = new DryRunStore(file)
    expect(dry.getCheckpoint('contacts')).toEqual({after: '3'})
    const dryOut = workload(dry)
    expect(dry.deadLetterCount).toBe(1)
    dry.close()

    expect(hash(file)).toBe(before)
    expect(fs.statSync(file).mtimeMs).toBe(mtime)
    expect(fs.readdirSync(dir).sort()).toEqual(['copy.db', 'store.db'])

    const real = openStore(copy)
    const realOut = workload(real)
    real.close()
    expect(dryOut).toEqual(realOut)
    expect(dryOut[0]).toEqual({inserted: 1, updated: 1, unchanged: 1, deleted: 1})
    expect(dryOut[1]).toEqual({inserted: 1, updated: 0, unchanged: 1, deleted: 0})
    expect(dryOut[4]).toEqual({inserted: 1, updated: 0, unchanged: 0, deleted: 1}) // edge to 1 removed, to 3 already gone
    expect(dryOut[7]).toEqual(['1', '4', '5'])
  })

  it('works without a store file and creates nothing', () => {
    const dir = tmpDir()
    const file = path.join(dir, 'none.db')
    const dry = new DryRunStore(file)
    const out = workload(dry)
    dry.close()
    expect(out[0]).toEqual({inserted: 3, updated: 0, unchanged: 0, deleted: 1})
    expect(fs.readdirSync(dir)).toEqual([])
    expect(() => new DryRunStore(path.join(dir, 'no', 'such', 'dir.db'))).toThrow(/does not exist/)
  })

  it('leaves no -wal/-shm behind even when the file was left in WAL mode', () => {
    const dir = tmpDir()
    const file = path.join(dir, 'wal.db')
    seed(file)
    const db = new Database(file)
    db.pragma('journal_mode = WAL') // as a store closed while another connection held it would be
    db.close()
    expect(fs.readdirSync(dir)).toEqual(['wal.db'])
    const before = hash(file)
    const dry = new DryRunStore(file)
    workload(dry)
    dry.close()
    expect(hash(file)).toBe(before)
    expect(fs.readdirSync(dir)).toEqual(['wal.db'])
  })

  it("reads a concurrent writer's committed WAL data and never removes that WAL", () => {
    const dir = tmpDir()
    const file = path.join(dir, 'live.db')
    seed(file)
    const writer = openStore(file) // stays open: WAL mode, -wal/-shm in use
    writer.applyRecords('contacts', 'contacts', [rec('8', {email: 'h'})], {after: '8'})
    const dry = new DryRunStore(file)
    expect([...dry.liveIds('contacts')]).toEqual(['1', '2', '3', '8'])
    expect(dry.getCheckpoint('contacts')).toEqual({after: '8'})
    expect(dry.applyRecords('contacts', 'contacts', [rec('8', {email: 'h'})], null)).toMatchObject({unchanged: 1})
    dry.close()
    expect(fs.existsSync(file + '-wal')).toBe(true)
    writer.applyRecords('contacts', 'contacts', [rec('9', {email: 'i'})], null)
    expect([...writer.liveIds('contacts')]).toEqual(['1', '2', '3', '8', '9'])
    writer.close()
    expect(fs.readdirSync(dir)).toEqual(['live.db'])
  })
})
