import {copyFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, jsonOf, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'
import {flatten} from '../helpers/cli.js'
import {picture, sqliteTarget, type TargetDb} from '../helpers/django-target.js'
import {checkPublished, expectClosedLoop, seedLegacy} from '../helpers/publish-scenario.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
let emu: RunningEmulator
const dir = tempDir('crmsync-publish-sqlite-')
const store = join(dir, 'store.db')

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 300, deals: 100, appointments: 60, divisions: 6, seed: 31}))
  const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--json'], {})
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await emu?.stop()
})

const publish = async (...args: string[]) => {
  const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, '--json', ...args], {})
  expect(r.code, r.stderr + r.stdout).toBe(0)
  return jsonOf<PublishResult>(r)
}

describe('publish into a SQLite Django database', () => {
  let target: TargetDb
  const file = join(dir, 'app.sqlite3')

  it('dry run counts per table and changes nothing; the publish then writes exactly those rows', async () => {
    target = sqliteTarget(file)
    const seeded = await seedLegacy(target, store)
    const before = await picture(target)
    const dry = await publish('--to', file, '--dry-run')
    expect(dry.dryRun).toBe(true)
    expect(await picture(target)).toEqual(before)
    const real = await publish('--to', file)
    console.log(`sqlite publish: ${real.rowsWritten} rows written in ${real.seconds.toFixed(2)} s; ${real.tables.map((t) => `${t.table} +${t.inserted} ~${t.updated} -${t.deleted}`).join(', ')}`)
    const strip = (r: PublishResult) => r.tables.map(({table, inserted, updated, deleted}) => ({table, inserted, updated, deleted}))
    expect(strip(dry)).toEqual(strip(real))
    expect(real.tables.find((t) => t.table === 'crm_contact')!.updated).toBeGreaterThan(0)
    await checkPublished(target, store, seeded)
  }, 120_000)

  it('closed loop: parity diff of the published file against the store finds no unexplained difference', async () => {
    const {report} = await runParityDiff({legacy: file, mapping: MAPPING, db: store, out: join(dir, 'r'), render: false})
    console.log('closed loop (sqlite) totals', JSON.stringify(report.totals))
    expectClosedLoop(report)
  }, 60_000)

  it('a second publish writes nothing; a row deleted by someone else comes back with --full only', async () => {
    expect((await publish('--to', file)).rowsWritten).toBe(0)
    expect((await publish('--to', file, '--full')).rowsWritten).toBe(0)
    const lonely = await target.query(
      `SELECT id, hubspot_id FROM crm_contact c WHERE NOT EXISTS (SELECT 1 FROM crm_order o WHERE o.contact_id = c.id) AND NOT EXISTS (SELECT 1 FROM crm_deal_contacts x WHERE x.contact_id = c.id) AND NOT EXISTS (SELECT 1 FROM crm_appointment a WHERE a.contact_id = c.id) LIMIT 1`,
    )
    const before = await picture(target)
    await target.query('DELETE FROM crm_contact WHERE id = ?', [lonely[0].id])
    expect((await publish('--to', file)).rowsWritten).toBe(0)
    const full = await publish('--to', file, '--full')
    expect(full.tables.find((t) => t.table === 'crm_contact')!.inserted).toBe(1)
    expect(await picture(target)).toEqual(before)
  }, 60_000)

  it('the lock row: a live holder refuses a second publisher, a dead one (kill -9) is taken over', async () => {
    await target.query(`INSERT OR REPLACE INTO crmsync_publish_lock (id, host, pid, started_at) VALUES (1, ?, ?, 'x')`, [hostname(), process.pid])
    const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, '--to', file], {})
    expect(r.code).toBe(1)
    expect(flatten(r.stderr)).toMatch(new RegExp(`another crmsync publish into .* is running \\(pid ${process.pid}`))
    await target.query(`UPDATE crmsync_publish_lock SET pid = 2147483646`)
    expect((await publish('--to', file)).rowsWritten).toBe(0)
    expect(await target.query('SELECT * FROM crmsync_publish_lock')).toEqual([])
  }, 60_000)

  it('--schema NAME publishes into the shadow file beside the target', async () => {
    const shadow = join(dir, 'app.shadow.sqlite3')
    sqliteTarget(shadow)
    const r = await publish('--to', file, '--schema', 'shadow')
    expect(r.target).toBe(shadow)
    copyFileSync(shadow, join(dir, 'copy.sqlite3'))
    expect(r.tables.find((t) => t.table === 'crm_contact')!.inserted).toBeGreaterThan(0)
  }, 60_000)
})
