import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {jsonOf, runCli, tempDir} from '../conformance/sync-harness.js'
import {pgAvailable} from '../helpers/django-target.js'
import {putRecords, setEdges, smallStore} from '../helpers/publish-store.js'
import {makeTarget, truthy, type PublishTargetUnderTest} from '../helpers/publish-targets.js'

// the mapping of the reference app, with archived contacts and deals soft-deleted instead of deleted:
// a boolean flag on crm_contact, a timestamp on crm_deal
const dir = tempDir('crmsync-publish-soft-')
const mapping = join(dir, 'soft-delete.json')
const m = JSON.parse(readFileSync('fixtures/mappings/legacy-django.json', 'utf8'))
m.entities.contacts.archived = {softDelete: 'is_archived'}
m.entities.deals.archived = {softDelete: 'archived_at'}
writeFileSync(mapping, JSON.stringify(m))

const hasPg = await pgAvailable()
const targets: PublishTargetUnderTest[] = []
afterAll(async () => {
  for (const t of targets) await t.drop()
})

describe.each([
  {dialect: 'sqlite' as const, skip: false},
  {dialect: 'postgres' as const, skip: !hasPg},
])('soft-delete ($dialect target)', ({dialect, skip}) => {
  it.skipIf(skip)(
    'archived records set the flag or time and keep their row and pk; an unrelated FK stays valid; a restored record is live again',
    async () => {
      const store = join(dir, `${dialect}-store.db`)
      smallStore(store)
      const t = await makeTarget(dialect, dir, 'soft')
      targets.push(t)
      await t.db.query(`ALTER TABLE crm_contact ADD COLUMN is_archived ${t.types.bool} NOT NULL DEFAULT ${dialect === 'postgres' ? 'false' : '0'}`)
      await t.db.query(`ALTER TABLE crm_deal ADD COLUMN archived_at ${t.types.timestamp} NULL`)
      const publish = async (...extra: string[]): Promise<PublishResult> => {
        const r = await runCli(['publish', '--mapping', mapping, '--db', store, ...t.args, '--json', ...extra], {})
        expect(r.code, r.stderr + r.stdout).toBe(0)
        return jsonOf<PublishResult>(r)
      }
      const counts = (r: PublishResult, table: string) => r.tables.find((x) => x.table === table)!
      const row = async (table: string, key: string) => (await t.db.query(`SELECT * FROM ${table} WHERE hubspot_id = ?`, [key]))[0]

      const first = await publish()
      expect(counts(first, 'crm_contact').inserted).toBe(12)
      for (const r of await t.db.query('SELECT is_archived FROM crm_contact')) expect(truthy(r.is_archived)).toBe(false)
      for (const r of await t.db.query('SELECT archived_at FROM crm_deal')) expect(r.archived_at).toBeNull()
      const contactPk = String((await row('crm_contact', '5')).id)
      const dealPk = String((await row('crm_deal', '2')).id)
      await t.db.query('INSERT INTO crm_order (contact_id, total) VALUES (?, ?)', [contactPk, 25]) // the application's own table

      // HubSpot archives contact 5 and deal 2 (the store drops their edges, as sync does)
      putRecords(store, 'contacts', ['5'], {archived: true})
      putRecords(store, 'deals', ['2'], {archived: true})
      const archived = await publish()
      expect(counts(archived, 'crm_contact').deleted).toBe(1)
      expect(counts(archived, 'crm_deal').deleted).toBe(1)
      const c5 = await row('crm_contact', '5')
      const d2 = await row('crm_deal', '2')
      expect(String(c5.id)).toBe(contactPk)
      expect(truthy(c5.is_archived)).toBe(true)
      expect(String(d2.id)).toBe(dealPk)
      expect(d2.archived_at).not.toBeNull()
      expect(Number.isNaN(new Date(String(d2.archived_at instanceof Date ? d2.archived_at.toISOString() : d2.archived_at).replace(' ', 'T')).getTime())).toBe(false)
      expect((await t.db.query('SELECT c.hubspot_id FROM crm_order o JOIN crm_contact c ON c.id = o.contact_id')).map((r) => String(r.hubspot_id))).toEqual(['5'])
      expect((await t.db.query('SELECT hubspot_id, is_archived FROM crm_contact')).filter((r) => truthy(r.is_archived)).map((r) => String(r.hubspot_id))).toEqual(['5'])
      expect((await t.db.query('SELECT hubspot_id FROM crm_deal WHERE archived_at IS NOT NULL')).map((r) => String(r.hubspot_id))).toEqual(['2'])

      // nothing more to do, incremental or full: a soft-deleted row is not soft-deleted again, nor deleted
      expect((await publish()).rowsWritten).toBe(0)
      const full = await publish('--full')
      expect(full.rowsWritten).toBe(0)
      expect(String((await row('crm_contact', '5')).id)).toBe(contactPk)

      // HubSpot restores both (a new version); deal 2 comes back with contacts 4 and 6 only
      putRecords(store, 'contacts', ['5'], {v: 1})
      putRecords(store, 'deals', ['2'], {v: 1})
      setEdges(store, 'deals', 'contacts', {'2': ['4', '6']})
      const restored = await publish()
      expect(counts(restored, 'crm_contact').updated).toBe(1)
      expect(counts(restored, 'crm_deal').updated).toBe(1)
      const c5b = await row('crm_contact', '5')
      const d2b = await row('crm_deal', '2')
      expect(String(c5b.id)).toBe(contactPk)
      expect(truthy(c5b.is_archived)).toBe(false)
      expect(String(c5b.last_name)).toBe('Last5 v1')
      expect(String(d2b.id)).toBe(dealPk)
      expect(d2b.archived_at).toBeNull()
      const through = await t.db.query('SELECT c.hubspot_id AS c FROM crm_deal_contacts x JOIN crm_contact c ON c.id = x.contact_id WHERE x.deal_id = ? ORDER BY c.hubspot_id', [dealPk])
      expect(through.map((r) => String(r.c))).toEqual(['4', '6'])
      expect((await t.db.query('SELECT c.hubspot_id FROM crm_order o JOIN crm_contact c ON c.id = o.contact_id')).map((r) => String(r.hubspot_id))).toEqual(['5'])
    },
    120_000,
  )
})
