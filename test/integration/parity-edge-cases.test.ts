import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import Database from 'better-sqlite3'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {openStore} from '../../src/store/open.js'
import {createSchema, dropSchemas, pgAvailable} from '../helpers/postgres.js'

let dir: string
const rec = (id: string, properties: Record<string, string | null>) => ({id, properties, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-02-01T00:00:00.000Z', archived: false})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-edge-'))
  const store = openStore(join(dir, 'store.db'))
  store.ensureEntity({entity: 'contacts', properties: []})
  store.applyRecords('t', 'contacts', [rec('14', {email: 'gone@x.com', meta: null, hs_tags: null})], null)
  store.applyMerges('t', 'contacts', [{loserId: '14', survivorId: '11'}], null) // merged away: not a record any more
  store.applyRecords(
    't',
    'contacts',
    [
      rec('11', {email: 'a@x.com', meta: '{"tags":["a","b"],"score":1}', hs_tags: 'b;a'}),
      rec('12', {email: 'b@x.com', meta: '{"tags":[],"score":2}', hs_tags: 'c'}),
      rec('13', {email: null, meta: null, hs_tags: null}),
    ],
    null,
  )
  store.close()
  writeFileSync(
    join(dir, 'mapping.json'),
    JSON.stringify({
      version: 1,
      entities: {
        contacts: {
          model: 'crm.contact',
          table: 'crm_contact',
          key: {legacy: 'hubspot_id'},
          fields: {email: {property: 'email', normalize: ['empty-as-null']}, meta: {property: 'meta', normalize: ['json']}, tags: {property: 'hs_tags', normalize: ['semicolon-set']}},
        },
      },
      verdict: {maxUnexplainedMismatchRate: 1, maxErrorRate: 0},
    }),
  )
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const line = (pk: number, fields: Record<string, unknown>) => JSON.stringify({model: 'crm.contact', pk, fields})

describe('parity diff edge cases', () => {
  it('JSON values are compared structurally and report deep-diff paths; empty keys are errors that fail the verdict', async () => {
    writeFileSync(
      join(dir, 'legacy.jsonl'),
      [
        line(1, {hubspot_id: '11', email: 'a@x.com', meta: {score: 1, tags: ['a', 'c']}, tags: 'a;b'}),
        line(2, {hubspot_id: '12', email: 'b@x.com', meta: {score: 2, tags: []}, tags: 'c'}),
        line(3, {hubspot_id: '13', email: '', meta: null, tags: ''}),
        line(4, {hubspot_id: '', email: 'lost@x.com', meta: null, tags: ''}),
      ].join('\n'),
    )
    const {report, dir: out} = await runParityDiff({legacy: join(dir, 'legacy.jsonl'), mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), out: join(dir, 'reports'), render: false})
    const c = report.entities[0]
    expect(c.counts).toMatchObject({identical: 2, modified: 1, missing_in_legacy: 0, newRows: 3})
    const meta = c.fields.find((f) => f.field === 'meta')!
    expect(meta.mismatched).toBe(1)
    expect(meta.samples[0].paths).toEqual(['tags.1'])
    expect(c.fields.find((f) => f.field === 'tags')!.mismatched).toBe(0)
    expect(report.errors).toHaveLength(1)
    expect(report.verdict.reasons.find((r) => r.check === 'error_rate')).toMatchObject({ok: false, actual: 0.25})
    expect(report.verdict.ready).toBe(false)
    expect(out).toContain(report.runId)
  })

  it('a mapped field the legacy rows lack is an input error with a did-you-mean', async () => {
    writeFileSync(join(dir, 'cols.jsonl'), line(1, {hubspot_id: '11', e_mail: 'a@x.com', meta: null, tags: ''}))
    const p = runParityDiff({legacy: join(dir, 'cols.jsonl'), mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), out: join(dir, 'reports2'), render: false})
    await expect(p).rejects.toThrow(UsageError)
    await expect(p).rejects.toThrow(/has no field "email" \(mapped at entities\.contacts\.fields\.email\); did you mean "e_mail"\?/)
  })

  it('a table the mapping names but the CSV folder, SQLite file or PostgreSQL schema lacks is an input error', async () => {
    const opts = {mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), out: join(dir, 'reports4'), render: false}
    mkdirSync(join(dir, 'csv'))
    writeFileSync(join(dir, 'csv', 'crm_contacts.csv'), 'id,hubspot_id\n1,11\n')
    await expect(runParityDiff({...opts, legacy: join(dir, 'csv')})).rejects.toThrow(/has no crm_contact\.csv/)
    const db = new Database(join(dir, 'legacy.sqlite'))
    db.exec('CREATE TABLE crm_contacts (id INTEGER PRIMARY KEY, hubspot_id TEXT)')
    db.close()
    await expect(runParityDiff({...opts, legacy: join(dir, 'legacy.sqlite')})).rejects.toThrow(/has no table crm_contact/)
    if (!(await pgAvailable())) return
    const schemas: string[] = []
    try {
      const {url, schema} = await createSchema('empty', schemas)
      await expect(runParityDiff({...opts, legacy: url})).rejects.toThrow(new RegExp(`has no table crm_contact in schema ${schema}`))
    } finally {
      await dropSchemas(schemas)
    }
  })

  it('a store without any mapped entity, or a SQLite file that is not a store, is an input error, not a NOT READY verdict', async () => {
    const empty = openStore(join(dir, 'empty.db'))
    empty.ensureEntity({entity: 'tickets', properties: []})
    empty.close()
    await expect(runParityDiff({legacy: join(dir, 'legacy.jsonl'), mapping: join(dir, 'mapping.json'), db: join(dir, 'empty.db'), out: join(dir, 'reports5')})).rejects.toThrow(
      /holds none of the mapped entities \(contacts\)/,
    )
    const foreign = new Database(join(dir, 'foreign.db'))
    foreign.exec('CREATE TABLE t (x)')
    foreign.close()
    await expect(runParityDiff({legacy: join(dir, 'legacy.jsonl'), mapping: join(dir, 'mapping.json'), db: join(dir, 'foreign.db'), out: join(dir, 'reports5')})).rejects.toThrow(
      /foreign\.db is not a crmsync store \(it is a SQLite database written by another program\)/,
    )
    expect(existsSync(join(dir, 'reports5')) ? readdirSync(join(dir, 'reports5')) : []).toEqual([])
  })

  it('an expired ledger rule, an unknown normalizer and a missing store are input errors naming the fix', async () => {
    const m = JSON.parse(readFileSync('fixtures/mappings/legacy-django.json', 'utf8'))
    m.ledger[0].expires = '2020-01-01'
    writeFileSync(join(dir, 'expired.json'), JSON.stringify(m))
    const base = {legacy: join(dir, 'legacy.jsonl'), db: join(dir, 'store.db'), out: join(dir, 'reports6'), render: false}
    await expect(runParityDiff({...base, mapping: join(dir, 'expired.json')})).rejects.toThrow(/rule "legacy-empty-strings" \(owner data-platform, expired 2020-01-01\)/)
    m.ledger[0].expires = '2099-01-01'
    m.entities.contacts.fields.email.normalize = ['trim', 'lowercsae']
    writeFileSync(join(dir, 'norm.json'), JSON.stringify(m))
    await expect(runParityDiff({...base, mapping: join(dir, 'norm.json')})).rejects.toThrow(
      /entities\.contacts\.fields\.email\.normalize: unknown normalizer "lowercsae" \(did you mean "lowercase"\?\)/,
    )
    await expect(runParityDiff({...base, mapping: join(dir, 'mapping.json'), db: join(dir, 'nope.db')})).rejects.toThrow(/store .*nope\.db does not exist/)
    expect(existsSync(join(dir, 'reports6')) ? readdirSync(join(dir, 'reports6')) : []).toEqual([])
  })

  it('--legacy-snapshot-at must be ISO 8601', async () => {
    await expect(
      runParityDiff({legacy: join(dir, 'legacy.jsonl'), mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), legacySnapshotAt: 'last tuesday', out: join(dir, 'reports3')}),
    ).rejects.toThrow(/not an ISO 8601 time/)
  })
})
