/**
 * Edge tombstones are pruned (src/store/tombstones.ts) and incremental publishes stay exact: two
 * targets of one store, published at different times; a removed edge's tombstone is kept while one
 * target has not published past it (whose incremental publish then still deletes its through row),
 * pruned once both have, and after pruning further removals are published exactly, each target
 * ending equal to a fresh full publish. The store is written through its own write path, the CLI
 * is a child process, the targets are SQLite files. The same on the emulator's mutation schedule,
 * from a PostgreSQL store: publish-from-postgres.test.ts.
 */
import Database from 'better-sqlite3'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {jsonOf, runCli, tempDir} from '../conformance/sync-harness.js'
import {picture} from '../helpers/django-target.js'
import {setEdges, smallStore} from '../helpers/publish-store.js'
import {makeTarget, type PublishTargetUnderTest} from '../helpers/publish-targets.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const dir = tempDir('crmsync-publish-tomb-')
const store = join(dir, 'store.db')
const targets: PublishTargetUnderTest[] = []
afterAll(async () => {
  for (const t of targets) await t.drop()
})

const publish = async (t: PublishTargetUnderTest, ...extra: string[]): Promise<PublishResult> => {
  const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, ...t.args, '--json', ...extra], {})
  expect(r.code, r.stderr + r.stdout).toBe(0)
  return jsonOf<PublishResult>(r)
}
const tombstones = (): number => {
  const db = new Database(store, {readonly: true})
  try {
    return db.prepare('SELECT count(*) FROM edge_tombstones').pluck().get() as number
  } finally {
    db.close()
  }
}
const throughRows = async (t: PublishTargetUnderTest): Promise<string[]> =>
  (await t.db.query('SELECT d.hubspot_id AS deal, c.hubspot_id AS contact FROM crm_deal_contacts x JOIN crm_deal d ON d.id = x.deal_id JOIN crm_contact c ON c.id = x.contact_id'))
    .map((r) => `${r.deal}>${r.contact}`)
    .sort()
const target = async (name: string): Promise<PublishTargetUnderTest> => {
  const t = await makeTarget('sqlite', dir, name)
  targets.push(t)
  return t
}

describe('edge tombstones: pruned once every publish cursor passed them, incremental publishes exact before and after', () => {
  it('keeps a tombstone for the target behind, prunes it after, and later removals still delete the right through rows', async () => {
    smallStore(store) // deal d with contacts 3d-2..3d
    const a = await target('a')
    const b = await target('b')
    expect((await publish(a)).full).toBe(true)
    expect((await publish(b)).full).toBe(true)
    expect(await throughRows(a)).toContain('1>3')

    setEdges(store, 'deals', 'contacts', {'1': ['1', '2']}) // 1>3 removed
    expect(tombstones()).toBe(1)
    const incA = await publish(a)
    expect(incA.full).toBe(false)
    expect(await throughRows(a)).not.toContain('1>3')
    expect(tombstones()).toBe(1) // b has not published past it
    const incB = await publish(b)
    expect(incB.full).toBe(false)
    expect(incB.through[0].deleted).toBe(1)
    expect(await throughRows(b)).not.toContain('1>3')
    expect(tombstones()).toBe(0) // both have: pruned

    // after pruning: more removals, published incrementally, b first this time
    setEdges(store, 'deals', 'contacts', {'2': ['4'], '3': []}) // 2>5, 2>6, 3>7, 3>8, 3>9 removed
    expect(tombstones()).toBe(5)
    for (const t of [b, a]) {
      const inc = await publish(t)
      expect(inc.full).toBe(false)
      expect(inc.through[0].deleted).toBe(5)
    }
    expect(tombstones()).toBe(0)
    const fresh = await target('fresh')
    expect((await publish(fresh)).full).toBe(true)
    for (const t of [a, b]) {
      expect(await throughRows(t)).toEqual(['1>1', '1>2', '2>4', '4>10', '4>11', '4>12'])
      expect(await picture(t.db)).toEqual(await picture(fresh.db))
    }
  }, 120_000)
})
