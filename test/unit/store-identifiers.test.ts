import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {columnNameFor, quoteIdent, sanitizeName, tableNameFor} from '../../src/store/identifiers.js'
import {compareIds} from '../../src/core/ids.js'
import {openStore} from '../../src/store/open.js'
import {iterateRecords} from '../../src/store/read.js'
import type {SqliteStore} from '../../src/store/sqlite-store.js'
import {prop, rec, tmpDir} from './store-helpers.js'

describe('identifiers', () => {
  it('sanitizes to [a-z0-9_] and quotes', () => {
    expect(sanitizeName('"; DROP TABLE x; --')).toBe('___drop_table_x____')
    expect(sanitizeName('Größe')).toMatch(/^[a-z0-9_]+$/)
    expect(sanitizeName('名前')).toBe('__')
    expect(sanitizeName('')).toBe('_')
    expect(tableNameFor('Line Items')).toBe('obj_line_items')
    expect(quoteIdent('a"b')).toBe('"a""b"')
    expect(columnNameFor('Email', new Set(['p_email', 'p_email_2']))).toBe('p_email_3')
    expect(['10', '9', '100', '11'].sort(compareIds)).toEqual(['9', '10', '11', '100'])
  })
})

describe('hostile property and entity names', () => {
  let store: SqliteStore
  afterEach(() => store?.close())

  it('stores values under hostile, unicode and colliding names without breaking the schema', () => {
    store = openStore(path.join(tmpDir(), 'h.db'))
    const names = ['"; DROP TABLE obj_contacts; --', 'Email', 'email', 'e-mail', '名前', '氏名', 'x'.repeat(200), "it's", 'constructor', 'toString', '__proto__']
    store.ensureEntity({entity: 'contacts', properties: names.map((n) => prop(n))})
    store.ensureEntity({entity: 'contacts', properties: names.map((n) => prop(n))}) // idempotent
    const values = Object.fromEntries(names.map((n, i) => [n, `v${i}`]))
    store.applyRecords('contacts', 'contacts', [rec('1', values)], null)
    const cols = store.db.prepare(`SELECT property, "column" AS column FROM property_columns WHERE entity = 'contacts'`).all() as Array<{property: string; column: string}>
    expect(cols).toHaveLength(names.length)
    expect(new Set(cols.map((c) => c.column)).size).toBe(names.length)
    for (const c of cols) expect(c.column).toMatch(/^p_[a-z0-9_]+$/)
    // deterministic: sorted property names get the base name first
    const byProp = new Map(cols.map((c) => [c.property, c.column]))
    expect(byProp.get('Email')).toBe('p_email')
    expect(byProp.get('e-mail')).toBe('p_e_mail')
    expect(byProp.get('email')).toBe('p_email_2')
    const row = store.db.prepare('SELECT * FROM obj_contacts').get() as Record<string, unknown>
    for (const [i, n] of names.entries()) expect(row[byProp.get(n)!]).toBe(`v${i}`)
    expect(store.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'obj_contacts'`).pluck().get()).toBe('obj_contacts')
    expect([...iterateRecords(store, 'contacts')][0].properties).toEqual(values)
    // a record without those properties has NULL there, not Object.prototype members
    store.applyRecords('contacts', 'contacts', [rec('2', {})], null)
    const empty = store.db.prepare(`SELECT * FROM obj_contacts WHERE id = '2'`).get() as Record<string, unknown>
    for (const c of cols) expect(empty[c.column]).toBeNull()
  })

  it('gives colliding entity names distinct tables', () => {
    store = openStore(path.join(tmpDir(), 'e.db'))
    store.ensureEntity({entity: 'Line Items', properties: []})
    store.ensureEntity({entity: 'line_items', properties: []})
    store.ensureEntity({entity: '"; DROP TABLE runs; --', properties: [prop('a')]})
    store.applyRecords('s1', 'Line Items', [rec('1', {})], null)
    store.applyRecords('s2', 'line_items', [rec('2', {})], null)
    store.applyRecords('s3', '"; DROP TABLE runs; --', [rec('3', {a: 'ok'})], null)
    const tables = store.db.prepare('SELECT entity, table_name FROM entities ORDER BY table_name').all()
    expect(tables).toEqual([
      {entity: '"; DROP TABLE runs; --', table_name: 'obj____drop_table_runs____'},
      {entity: 'Line Items', table_name: 'obj_line_items'},
      {entity: 'line_items', table_name: 'obj_line_items_2'},
    ])
    expect([...store.liveIds('Line Items')]).toEqual(['1'])
    expect([...store.liveIds('line_items')]).toEqual(['2'])
    expect(store.db.prepare(`SELECT COUNT(*) FROM runs`).pluck().get()).toBe(0)
  })
})
