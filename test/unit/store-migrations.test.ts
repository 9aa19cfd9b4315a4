import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {CrmsyncError} from '../../src/core/errors.js'
import {APPLICATION_ID, migrate, SCHEMA_VERSION} from '../../src/store/migrations.js'
import {openStore} from '../../src/store/open.js'
import {rec, tmpDir} from './store-helpers.js'

function expectStoreError(fn: () => unknown, code: string, message: RegExp): CrmsyncError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(CrmsyncError)
    const e = err as CrmsyncError
    expect(e.options.code).toBe(code)
    expect(e.message).toMatch(message)
    expect(e.options.suggestion).toMatch(/--db|crmsync|upgrade/)
    return e
  }
  throw new Error('expected an error')
}

describe('schema migrations', () => {
  it('creates every table on a fresh file and records the version', () => {
    const file = path.join(tmpDir(), 'fresh.db')
    const store = openStore(file)
    const tables = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all()
    expect(tables).toEqual(expect.arrayContaining(['associations', 'checkpoints', 'dead_letters', 'entities', 'property_columns', 'runs', 'schema_migrations']))
    expect(store.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION)
    expect(store.db.pragma('application_id', {simple: true})).toBe(APPLICATION_ID)
    expect(store.db.pragma('journal_mode', {simple: true})).toBe('wal')
    expect(store.db.pragma('foreign_keys', {simple: true})).toBe(1)
    const indexes = store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'associations'`).pluck().all()
    expect(indexes).toContain('associations_to')
    store.close()
  })

  it('is idempotent: reopening applies nothing and keeps the data', () => {
    const file = path.join(tmpDir(), 'again.db')
    const a = openStore(file)
    a.ensureEntity({entity: 'contacts', properties: []})
    a.applyRecords('contacts', 'contacts', [rec('1', {email: 'a'})], {after: '1'})
    a.close()
    const b = openStore(file)
    expect(migrate(b.db, file)).toEqual([])
    expect(b.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION)
    expect([...b.liveIds('contacts')]).toEqual(['1'])
    expect(b.getCheckpoint('contacts')).toEqual({after: '1'})
    b.close()
  })

  it('runs each pending migration in its own transaction (a failing one leaves no trace)', () => {
    const file = path.join(tmpDir(), 'fail.db')
    openStore(file).close()
    const db = new Database(file)
    const broken = [{version: SCHEMA_VERSION + 1, name: 'broken', up: (d: Database.Database) => d.exec('CREATE TABLE half (x); SELECT * FROM no_such_table')}]
    expect(() => migrate(db, file, broken)).toThrow(/no_such_table/)
    expect(db.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'`).pluck().get()).toBe(0)
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION)
    db.close()
  })

  it('refuses a store newer than the code, writable or read-only', () => {
    const file = path.join(tmpDir(), 'newer.db')
    openStore(file).close()
    const db = new Database(file)
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 5, 'future', 'x')
    db.close()
    const e = expectStoreError(() => openStore(file), 'STORE_TOO_NEW', new RegExp(`schema version ${SCHEMA_VERSION + 5}, newer`))
    expect(e.exitCode).toBe(2)
    expectStoreError(() => openStore(file, {readonly: true}), 'STORE_TOO_NEW', /newer than this crmsync/)
  })
})

describe('openStore errors and modes', () => {
  it('names the path and the fix for unusable paths', () => {
    const dir = tmpDir()
    expectStoreError(() => openStore(dir), 'STORE_PATH', /is a directory/)
    expectStoreError(() => openStore(path.join(dir, 'missing', 'x.db')), 'STORE_PATH', /directory .*missing does not exist/)
    const missing = path.join(dir, 'nothing.db')
    expectStoreError(() => openStore(missing, {readonly: true}), 'STORE_MISSING', /no crmsync store at/)
    expect(fs.existsSync(missing)).toBe(false)
    const text = path.join(dir, 'notes.txt')
    fs.writeFileSync(text, 'this is not a database at all, just some text that is long enough '.repeat(20))
    expectStoreError(() => openStore(text), 'NOT_A_STORE', /not a crmsync store/)
    expect(fs.readFileSync(text, 'utf8')).toMatch(/^this is not a database/)
    const foreign = path.join(dir, 'other.db')
    const db = new Database(foreign)
    db.exec('CREATE TABLE customers (id INTEGER)')
    db.close()
    expectStoreError(() => openStore(foreign), 'NOT_A_STORE', /written by another program/)
    const empty = path.join(dir, 'empty.db')
    fs.writeFileSync(empty, '')
    expectStoreError(() => openStore(empty, {readonly: true}), 'NOT_A_STORE', /empty/)
  })

  it('leaves rollback-journal mode after close so read-only opens create no side files', () => {
    const dir = tmpDir()
    const file = path.join(dir, 's.db')
    const w = openStore(file)
    w.ensureEntity({entity: 'contacts', properties: []})
    w.close()
    expect(fs.readdirSync(dir)).toEqual(['s.db'])
    const r = openStore(file, {readonly: true})
    expect(r.table('contacts')).not.toBeNull()
    expect(() => r.applyRecords('contacts', 'contacts', [], {a: 1})).toThrow(/read-only/)
    r.close()
    expect(fs.readdirSync(dir)).toEqual(['s.db'])
  })
})
