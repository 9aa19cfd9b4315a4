import path from 'node:path'
import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'
import {MIGRATIONS, migrate, SCHEMA_VERSION} from '../../src/store/migrations.js'
import {openStore} from '../../src/store/open.js'
import {prunedThrough, pruneTombstones} from '../../src/store/tombstones.js'
import {rec, tmpDir} from './store-helpers.js'

const ids = (rows: Iterable<{id: string}>): string[] => [...rows].map((r) => r.id)
const assoc = (fromId: string, toId: string) => ({fromType: 'contacts', fromId, toType: 'deals', toId, types: [{category: 'HUBSPOT_DEFINED', typeId: 1, label: null}]})

describe('change sequence (store schema 2)', () => {
  it('migrates a schema-1 store holding records: old rows get sequence 0 and the new columns', () => {
    const file = path.join(tmpDir(), 'v1.db')
    const db = new Database(file)
    migrate(db, file, MIGRATIONS.slice(0, 1))
    // an entity table as schema 1 created it (no seq column)
    db.exec(
      `CREATE TABLE contacts (id TEXT PRIMARY KEY, created_at TEXT, updated_at TEXT, archived INTEGER NOT NULL DEFAULT 0, archived_at TEXT, merged_into TEXT, properties TEXT NOT NULL, synced_at TEXT) WITHOUT ROWID`,
    )
    db.prepare(`INSERT INTO entities (entity, table_name, created_at) VALUES ('contacts', 'contacts', 'x')`).run()
    db.prepare(`INSERT INTO contacts (id, properties) VALUES ('1', '{}'), ('2', '{}')`).run()
    db.prepare(`INSERT INTO associations (from_entity, from_id, to_entity, to_id, type_id, category) VALUES ('contacts', '1', 'deals', '9', 1, 'HUBSPOT_DEFINED')`).run()
    db.close()
    const store = openStore(file)
    expect(store.db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(3)
    expect(store.changeSeq()).toBe(0)
    expect([...store.changedRecords('contacts', -1)].map((r) => [r.id, r.seq])).toEqual([
      ['1', 0],
      ['2', 0],
    ])
    expect(ids(store.changedRecords('contacts', 0))).toEqual([])
    store.applyRecords('contacts', 'contacts', [rec('2', {email: 'b'})], null)
    expect(store.changeSeq()).toBe(1)
    expect(ids(store.changedRecords('contacts', 0))).toEqual(['2'])
    store.close()
  })

  it('reports records, tombstones, merged losers and edge changes (inserted or removed) after a sequence', () => {
    const store = openStore(path.join(tmpDir(), 's.db'))
    store.ensureEntity({entity: 'contacts', properties: []})
    store.ensureEntity({entity: 'deals', properties: []})
    store.applyRecords(
      'contacts',
      'contacts',
      ['1', '2', '3', '4', '10'].map((id) => rec(id, {email: id})),
      null,
    )
    store.applyRecords('deals', 'deals', [rec('7', {})], null)
    store.replaceAssociations('associations', 'contacts', 'deals', ['1', '2'], [assoc('1', '7'), assoc('2', '7')], null)
    const s0 = store.changeSeq()
    expect(ids(store.changedRecords('contacts', s0, ['deals']))).toEqual([])
    // unchanged records take no new sequence
    store.applyRecords('contacts', 'contacts', [rec('1', {email: '1'})], null)
    expect(ids(store.changedRecords('contacts', s0))).toEqual([])
    store.applyRecords('contacts', 'contacts', [rec('3', {email: 'x'}), rec('4', {}, {archived: true})], null)
    store.applyMerges('contacts', 'contacts', [{loserId: '10', survivorId: '3'}], null)
    store.replaceAssociations('associations', 'contacts', 'deals', ['2'], [], null) // edge 2→7 removed
    const changed = [...store.changedRecords('contacts', s0, ['deals'])]
    expect(changed.map((r) => [r.id, r.archived, r.merged_into])).toEqual([
      ['2', 0, null],
      ['3', 0, null],
      ['4', 1, null],
      ['10', 0, '3'],
    ])
    // the deal sees its removed edge from the other side
    expect(ids(store.changedRecords('deals', s0, ['contacts']))).toEqual(['7'])
    expect(ids(store.changedRecords('deals', s0))).toEqual([])
    expect(store.relatedIds('deals', ['7'], 'contacts')).toEqual(new Map([['7', ['1']]]))
    expect(store.relatedIds('contacts', ['1', '2'], 'deals')).toEqual(
      new Map([
        ['1', ['7']],
        ['2', []],
      ]),
    )
    store.savePublishCursor('postgres://u@h/db?schema=s', 5)
    expect(store.publishCursor('postgres://u@h/db?schema=s')).toBe(5)
    expect(store.publishCursor('other')).toBeNull()
    store.close()
  })

  it('prunes tombstones in batches: each batch its own statement, all of them in the end (schema 3 keeps how far)', () => {
    const store = openStore(path.join(tmpDir(), 'p.db'))
    store.ensureEntity({entity: 'contacts', properties: []})
    store.ensureEntity({entity: 'deals', properties: []})
    const contacts = ['1', '2', '3', '4', '5']
    store.applyRecords(
      'contacts',
      'contacts',
      contacts.map((id) => rec(id, {})),
      null,
    )
    store.replaceAssociations(
      'associations',
      'contacts',
      'deals',
      contacts,
      contacts.map((id) => assoc(id, '7')),
      null,
    )
    store.replaceAssociations('associations', 'contacts', 'deals', contacts, [], null)
    const count = () => store.db.prepare('SELECT count(*) FROM edge_tombstones').pluck().get()
    expect(count()).toBe(5)
    const statements: string[] = []
    const traced = new Database(store.path, {verbose: (sql) => statements.push(String(sql))})
    expect(pruneTombstones(traced, 2)).toBe(5)
    traced.close()
    expect(statements.filter((q) => q.startsWith('DELETE FROM edge_tombstones'))).toHaveLength(3) // 2 + 2 + 1
    expect(count()).toBe(0)
    expect(prunedThrough(store.db)).toBe(store.changeSeq())
    store.close()
  })
})
