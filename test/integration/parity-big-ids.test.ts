/**
 * Legacy ids past 2^53 (a Django BigIntegerField dumped as a JSON number) stay exact in every reader:
 * dumpdata JSON array and JSONL, CSV, SQLite and PostgreSQL give the same comparison, with the
 * record matched and its many-to-many relation intact (issue 11, item 1).
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {AssociationRow} from '../../src/core/records.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {quoteBigInts} from '../../src/parity/readers/big-ints.js'
import {openStore} from '../../src/store/open.js'
import {createSchema, dropSchemas, pgAvailable} from '../helpers/postgres.js'

const C = '9037199254741831' // JSON.parse rounds it to ...832
const D = '9037199254741999'
const CPK = '9037199254741001'
const DPK = '9037199254741003'
const schemas: string[] = []
let dir: string
const rec = (id: string, properties: Record<string, string | null>) => ({id, properties, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-02-01T00:00:00.000Z', archived: false})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-bigids-'))
  const store = openStore(join(dir, 'store.db'))
  store.ensureEntity({entity: 'contacts', properties: []})
  store.ensureEntity({entity: 'deals', properties: []})
  store.applyRecords('t', 'contacts', [rec(C, {email: 'a@x.com'}), rec('7', {email: 'b@x.com'})], null)
  store.applyRecords('t', 'deals', [rec(D, {dealname: 'big'})], null)
  const edge: AssociationRow = {fromType: 'deals', fromId: D, toType: 'contacts', toId: C, types: [{category: 'HUBSPOT_DEFINED', typeId: 3, label: null}]}
  store.replaceAssociations('t', 'deals', 'contacts', [D], [edge], null)
  store.close()
  writeFileSync(
    join(dir, 'mapping.json'),
    JSON.stringify({
      version: 1,
      entities: {
        contacts: {model: 'crm.contact', table: 'crm_contact', key: {legacy: 'hubspot_id'}, fields: {email: {property: 'email'}}},
        deals: {
          model: 'crm.deal',
          table: 'crm_deal',
          key: {legacy: 'hubspot_id'},
          fields: {name: {property: 'dealname'}},
          relations: {contacts: {kind: 'm2m', target: 'contacts', field: 'contacts', through: {table: 'crm_deal_contacts', sourceColumn: 'deal_id', targetColumn: 'contact_id'}}},
        },
      },
    }),
  )
  // bare JSON numbers, as Django dumps a BigIntegerField (pk, hubspot_id and the m2m list alike)
  const rows = [
    `{"model": "crm.contact", "pk": ${CPK}, "fields": {"hubspot_id": ${C}, "email": "a@x.com"}}`,
    `{"model": "crm.contact", "pk": 2, "fields": {"hubspot_id": 7, "email": "b@x.com"}}`,
    `{"model": "crm.deal", "pk": ${DPK}, "fields": {"hubspot_id": ${D}, "name": "big", "contacts": [${CPK}]}}`,
  ]
  writeFileSync(join(dir, 'legacy.json'), `[\n${rows.join(',\n')}\n]\n`)
  writeFileSync(join(dir, 'legacy.jsonl'), `${rows.join('\n')}\n`)
  mkdirSync(join(dir, 'csv'))
  writeFileSync(join(dir, 'csv', 'crm_contact.csv'), `id,hubspot_id,email\n${CPK},${C},a@x.com\n2,7,b@x.com\n`)
  writeFileSync(join(dir, 'csv', 'crm_deal.csv'), `id,hubspot_id,name\n${DPK},${D},big\n`)
  writeFileSync(join(dir, 'csv', 'crm_deal_contacts.csv'), `id,deal_id,contact_id\n1,${DPK},${CPK}\n`)
  const db = new Database(join(dir, 'legacy.sqlite'))
  db.exec(`CREATE TABLE crm_contact (id INTEGER PRIMARY KEY, hubspot_id INTEGER, email TEXT); CREATE TABLE crm_deal (id INTEGER PRIMARY KEY, hubspot_id INTEGER, name TEXT); CREATE TABLE crm_deal_contacts (id INTEGER PRIMARY KEY, deal_id INTEGER, contact_id INTEGER);
    INSERT INTO crm_contact VALUES (${CPK}, ${C}, 'a@x.com'), (2, 7, 'b@x.com'); INSERT INTO crm_deal VALUES (${DPK}, ${D}, 'big'); INSERT INTO crm_deal_contacts VALUES (1, ${DPK}, ${CPK});`)
  db.close()
})
afterAll(async () => {
  rmSync(dir, {recursive: true, force: true})
  await dropSchemas(schemas)
})

async function diff(legacy: string) {
  const {report} = await runParityDiff({legacy, mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), out: join(dir, 'reports'), render: false})
  return report.entities.map((e) => ({entity: e.entity, counts: e.counts, relations: e.relations.map((r) => [r.relation, r.missingEdges, r.extraEdges])}))
}

const expected = [
  {entity: 'contacts', counts: {identical: 2, modified: 0, missing_in_new: 0, missing_in_legacy: 0, duplicate_key: 0}, relations: []},
  {entity: 'deals', counts: {identical: 1, modified: 0, missing_in_new: 0, missing_in_legacy: 0, duplicate_key: 0}, relations: [['deals.contacts', 0, 0]]},
]

describe('ids past 2^53 stay exact', () => {
  for (const form of ['legacy.json', 'legacy.jsonl', 'csv', 'legacy.sqlite']) {
    it(`${form}: the big-id contact and deal match, the m2m edge holds`, async () => {
      expect(await diff(join(dir, form))).toMatchObject(expected)
    })
  }

  it('PostgreSQL (bigint columns) gives the same', async (t) => {
    if (!(await pgAvailable())) return t.skip()
    const {url} = await createSchema('bigids', schemas, (c) =>
      c.query(`CREATE TABLE crm_contact (id bigint PRIMARY KEY, hubspot_id bigint, email text); CREATE TABLE crm_deal (id bigint PRIMARY KEY, hubspot_id bigint, name text); CREATE TABLE crm_deal_contacts (id serial PRIMARY KEY, deal_id bigint, contact_id bigint);
        INSERT INTO crm_contact VALUES (${CPK}, ${C}, 'a@x.com'), (2, 7, 'b@x.com'); INSERT INTO crm_deal VALUES (${DPK}, ${D}, 'big'); INSERT INTO crm_deal_contacts (deal_id, contact_id) VALUES (${DPK}, ${CPK});`),
    )
    expect(await diff(url)).toMatchObject(expected)
  })

  it('quoteBigInts: only bare integers of 16+ digits outside strings, floats untouched', () => {
    expect(quoteBigInts(`{"a": ${C}, "b": [-${C}, 12], "c": "x ${C} \\" ${C}", "d": 1234567890123456.5, "e": 12345678901234567e3}`)).toBe(
      `{"a": "${C}", "b": ["-${C}", 12], "c": "x ${C} \\" ${C}", "d": 1234567890123456.5, "e": 12345678901234567e3}`,
    )
    expect(JSON.parse(quoteBigInts(`{"pk":${C},"x":"${'\\\\'}"}`)).pk).toBe(C)
    const plain = '{"a": 123456789012345}'
    expect(quoteBigInts(plain)).toBe(plain)
  })
})
