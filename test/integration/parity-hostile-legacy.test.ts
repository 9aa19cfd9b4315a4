/**
 * Hostile or broken legacy data and mapping names (issue 11, items 8, 10 and 11): wrong-typed keys
 * and many-to-many values are counted row errors, a 0-byte CSV table is refused like an empty dump,
 * duplicate (model, pk) pairs are reported, an over-long record is refused with the limit named, and
 * field names such as `__proto__`, `constructor`, `toString`, `valueOf` are compared like any other.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {openStore} from '../../src/store/open.js'
import {createSchema, dropSchemas, pgAvailable} from '../helpers/postgres.js'

let dir: string
const rec = (id: string, properties: Record<string, string | null>) => ({id, properties, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-02-01T00:00:00.000Z', archived: false})
const line = (model: string, pk: unknown, fields: Record<string, unknown>) => JSON.stringify({model, pk, fields})
const HOSTILE = ['__proto__', 'constructor', 'toString', 'valueOf']

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-hostile-legacy-'))
  const store = openStore(join(dir, 'store.db'))
  store.ensureEntity({entity: 'contacts', properties: []})
  store.ensureEntity({entity: 'deals', properties: []})
  // the store holds the hostile properties too (parsed from text: a "__proto__" key in an object literal would set the prototype)
  const hostileProps = (email: string) => JSON.parse(`{"email": "${email}", ${HOSTILE.map((f) => `"p_${f}": "new"`).join(', ')}}`) as Record<string, string>
  store.applyRecords('t', 'contacts', [rec('11', hostileProps('a@x.com')), rec('12', hostileProps('b@x.com'))], null)
  store.applyRecords('t', 'deals', [rec('21', {dealname: 'd'})], null)
  store.close()
  const mapping = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      version: 1,
      entities: {
        contacts: {model: 'crm.contact', table: 'crm_contact', key: {legacy: 'hubspot_id'}, fields: {email: {property: 'email'}}, ...extra},
        deals: {model: 'crm.deal', table: 'crm_deal', key: {legacy: 'hubspot_id'}, fields: {name: {property: 'dealname'}}, relations: {contacts: {kind: 'm2m', target: 'contacts', field: 'contacts'}}},
      },
      verdict: {maxUnexplainedMismatchRate: 1, maxErrorRate: 1},
    })
  writeFileSync(join(dir, 'mapping.json'), mapping())
  // written by hand: JSON.stringify of an object literal would drop a "__proto__" key
  writeFileSync(
    join(dir, 'hostile-mapping.json'),
    mapping({fields: JSON.parse(`{"email": {"property": "email"}, ${HOSTILE.map((f) => `"${f}": {"property": "p_${f}"}`).join(', ')}}`)}).replace(
      '"fields":{"email"',
      `"fields":{"__proto__":{"property":"p___proto__"},"email"`,
    ),
  )
})
const schemas: string[] = []
afterAll(async () => {
  rmSync(dir, {recursive: true, force: true})
  await dropSchemas(schemas)
})

const opts = (legacy: string, mapping = 'mapping.json') => ({legacy: join(dir, legacy), mapping: join(dir, mapping), db: join(dir, 'store.db'), out: join(dir, 'reports'), render: false})

describe('wrong-typed legacy values', () => {
  it('an object, 1e21, a boolean or a list as the key is a counted row error, not "[object Object]" or "1e+21"', async () => {
    writeFileSync(
      join(dir, 'keys.jsonl'),
      [
        line('crm.contact', 1, {hubspot_id: 11, email: 'a@x.com'}),
        line('crm.contact', 2, {hubspot_id: {id: 12}, email: 'b@x.com'}),
        line('crm.contact', 3, {hubspot_id: 1e21, email: 'c@x.com'}),
        line('crm.contact', 4, {hubspot_id: true, email: 'd@x.com'}),
        line('crm.contact', 5, {hubspot_id: [12], email: 'e@x.com'}),
        line('crm.deal', 9, {hubspot_id: '21', name: 'd', contacts: []}),
      ].join('\n'),
    )
    const {report} = await runParityDiff(opts('keys.jsonl'))
    const msgs = report.errors.map((e) => e.message).join('\n')
    expect(msgs).toMatch(/pk 2 has an object as hubspot_id/)
    expect(msgs).toMatch(/pk 3 has the number 1e\+21 as hubspot_id/)
    expect(msgs).toMatch(/pk 4 has a boolean as hubspot_id/)
    expect(msgs).toMatch(/pk 5 has a list as hubspot_id/)
    expect(report.errors).toHaveLength(4)
    expect(JSON.stringify(report)).not.toContain('[object Object]')
    expect(report.entities[0].counts).toMatchObject({identical: 1, missing_in_legacy: 1})
  })

  it('a many-to-many value that is a string, or a list of objects, is a counted row error either way', async () => {
    writeFileSync(
      join(dir, 'm2m.jsonl'),
      [
        line('crm.contact', 1, {hubspot_id: '11', email: 'a@x.com'}),
        line('crm.contact', 2, {hubspot_id: '12', email: 'b@x.com'}),
        line('crm.deal', 9, {hubspot_id: '21', name: 'd', contacts: '1'}),
        line('crm.deal', 10, {hubspot_id: '22', name: 'e', contacts: [{pk: 1}]}),
        line('crm.deal', 11, {hubspot_id: '23', name: 'f', contacts: [1, 2]}),
      ].join('\n'),
    )
    const {report} = await runParityDiff(opts('m2m.jsonl'))
    const msgs = report.errors.map((e) => e.message)
    expect(msgs).toHaveLength(2)
    expect(msgs[0]).toMatch(/pk 9 field "contacts" should be a list of pks \(many-to-many; .*\) but is a string/)
    expect(msgs[1]).toMatch(/pk 10 field "contacts" should be a list of pks \(many-to-many; .*\) but is a list holding an object/)
  })

  it('an object as a dumpdata pk is an input error naming the record', async () => {
    writeFileSync(join(dir, 'pk.jsonl'), line('crm.contact', {a: 1}, {hubspot_id: '11', email: 'a@x.com'}))
    await expect(runParityDiff(opts('pk.jsonl'))).rejects.toThrow(/line 1 has a pk that is neither a string nor an integer \(an object\)/)
  })

  it('a duplicate (model, pk) pair is reported as an error', async () => {
    writeFileSync(
      join(dir, 'dup.jsonl'),
      [
        line('crm.contact', 1, {hubspot_id: '11', email: 'a@x.com'}),
        line('crm.contact', 1, {hubspot_id: '12', email: 'b@x.com'}),
        line('crm.deal', 9, {hubspot_id: '21', name: 'd', contacts: []}),
      ].join('\n'),
    )
    const {report} = await runParityDiff(opts('dup.jsonl'))
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/crm\.contact pk 1 occurs 2 times/)])
    expect(report.verdict.reasons.find((r) => r.check === 'error_rate')?.actual).toBeGreaterThan(0)
  })

  it('a 0-byte CSV table is refused like an empty dump; a header-only one is an empty table', async () => {
    mkdirSync(join(dir, 'csv'))
    writeFileSync(join(dir, 'csv', 'crm_contact.csv'), '')
    writeFileSync(join(dir, 'csv', 'crm_deal.csv'), 'id,hubspot_id,name\n')
    writeFileSync(join(dir, 'csv', 'crm_deal_contacts.csv'), 'id,deal_id,contact_id\n')
    const p = runParityDiff(opts('csv'))
    await expect(p).rejects.toThrow(UsageError)
    await expect(p).rejects.toThrow(/crm_contact\.csv is empty \(not even a header line\)/)
    writeFileSync(join(dir, 'csv', 'crm_contact.csv'), 'id,hubspot_id,email\n')
    const {report} = await runParityDiff(opts('csv'))
    expect(report.entities[0].counts.missing_in_legacy).toBe(2)
    writeFileSync(join(dir, 'empty.json'), '')
    await expect(runParityDiff(opts('empty.json'))).rejects.toThrow(/legacy snapshot .*empty\.json is empty/)
  })
})

describe('over-long records', () => {
  it('a JSONL line or a JSON array element past CRMSYNC_MAX_LINE_MB is refused naming the limit', async () => {
    const long = 'x'.repeat(300_000)
    writeFileSync(join(dir, 'long.jsonl'), [line('crm.contact', 1, {hubspot_id: '11', email: 'a@x.com'}), line('crm.contact', 2, {hubspot_id: '12', email: long})].join('\n'))
    writeFileSync(join(dir, 'long.json'), `[${line('crm.contact', 1, {hubspot_id: '11', email: 'a@x.com'})}, ${line('crm.contact', 2, {hubspot_id: '12', email: long})}]`)
    process.env.CRMSYNC_MAX_LINE_MB = '0.25'
    try {
      await expect(runParityDiff(opts('long.jsonl'))).rejects.toThrow(/long\.jsonl: line 2 is longer than 262144 characters/)
      await expect(runParityDiff(opts('long.json'))).rejects.toThrow(/long\.json: record 2 is longer than 262144 characters/)
    } finally {
      delete process.env.CRMSYNC_MAX_LINE_MB
    }
    // under the default limit (64 MiB) the same files are read
    const {report} = await runParityDiff(opts('long.jsonl'))
    expect(report.entities[0].counts).toMatchObject({identical: 1, modified: 1})
  })
})

describe('names from the mapping and the legacy rows', () => {
  it('fields named __proto__, constructor, toString and valueOf are compared, their differences reported', async () => {
    const fields = (v: string) => `"email": "a@x.com", ${HOSTILE.map((f) => `"${f}": "${v}"`).join(', ')}`
    writeFileSync(
      join(dir, 'hostile.jsonl'),
      [
        `{"model": "crm.contact", "pk": 1, "fields": {"hubspot_id": "11", ${fields('legacy')}}}`,
        `{"model": "crm.contact", "pk": 2, "fields": {"hubspot_id": "12", ${fields('legacy')}}}`,
        line('crm.deal', 9, {hubspot_id: '21', name: 'd', contacts: []}),
      ].join('\n'),
    )
    const {report} = await runParityDiff(opts('hostile.jsonl', 'hostile-mapping.json'))
    const c = report.entities[0]
    expect(c.fields.map((f) => f.field).sort()).toEqual([...HOSTILE, 'email'].sort())
    // the store's p_* properties say "new", legacy's "legacy": every hostile field differs on both records
    for (const f of HOSTILE)
      expect(
        c.fields.find((x) => x.field === f),
        f,
      ).toMatchObject({compared: 2, mismatched: 2})
    expect(c.counts).toMatchObject({identical: 0, modified: 2})
  })

  const cols = ['id', 'hubspot_id', 'email', ...HOSTILE]
  const hostileRows = [
    ['1', '11', 'a@x.com', ...HOSTILE.map(() => 'legacy')],
    ['2', '12', 'b@x.com', ...HOSTILE.map(() => 'legacy')],
  ]
  const expectHostile = async (legacy: string): Promise<void> => {
    const {report} = await runParityDiff({...opts('', 'hostile-mapping.json'), legacy})
    for (const f of HOSTILE)
      expect(
        report.entities[0].fields.find((x) => x.field === f),
        `${legacy} ${f}`,
      ).toMatchObject({compared: 2, mismatched: 2})
  }

  it('the CSV and SQLite readers keep columns named __proto__ and constructor (better-sqlite3 row objects drop __proto__)', async () => {
    mkdirSync(join(dir, 'hcsv'))
    writeFileSync(join(dir, 'hcsv', 'crm_contact.csv'), [cols, ...hostileRows].map((r) => r.join(',')).join('\n'))
    writeFileSync(join(dir, 'hcsv', 'crm_deal.csv'), 'id,hubspot_id,name\n9,21,d\n')
    writeFileSync(join(dir, 'hcsv', 'crm_deal_contacts.csv'), 'id,deal_id,contact_id\n')
    await expectHostile(join(dir, 'hcsv'))
    const db = new Database(join(dir, 'hostile.sqlite'))
    db.exec(
      `CREATE TABLE crm_contact (${cols.map((c) => `"${c}"`).join(', ')}); CREATE TABLE crm_deal (id, hubspot_id, name); CREATE TABLE crm_deal_contacts (id, deal_id, contact_id); INSERT INTO crm_deal VALUES (9, '21', 'd')`,
    )
    for (const r of hostileRows) db.prepare(`INSERT INTO crm_contact VALUES (${cols.map(() => '?').join(', ')})`).run(...r)
    db.close()
    await expectHostile(join(dir, 'hostile.sqlite'))
  })

  it('the PostgreSQL reader keeps them too', async (t) => {
    if (!(await pgAvailable())) return t.skip()
    const {url} = await createSchema('hostile', schemas, async (c) => {
      await c.query(
        `CREATE TABLE crm_contact (${cols.map((x) => `"${x}" text`).join(', ')}); CREATE TABLE crm_deal (id text, hubspot_id text, name text); CREATE TABLE crm_deal_contacts (id text, deal_id text, contact_id text); INSERT INTO crm_deal VALUES ('9', '21', 'd')`,
      )
      for (const r of hostileRows) await c.query(`INSERT INTO crm_contact VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, r)
    })
    await expectHostile(url)
  })
})
