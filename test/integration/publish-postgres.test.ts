import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {openStore} from '../../src/store/open.js'
import {emulator, jsonOf, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'
import {flatten} from '../helpers/cli.js'
import {PG_URL, pgAvailable, pgSchema, picture} from '../helpers/django-target.js'
import {publishKillMatrix} from '../helpers/publish-kill-matrix.js'
import {checkPublished, expectClosedLoop, publishMutations, seedLegacy, writtenSummary} from '../helpers/publish-scenario.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const hasPg = await pgAvailable()
const dir = tempDir('crmsync-publish-pg-')
const store = join(dir, 'store.db')
let emu: RunningEmulator
let clock = Date.now()
const schemas: Array<Awaited<ReturnType<typeof pgSchema>>> = []
const schema = async (): Promise<Awaited<ReturnType<typeof pgSchema>>> => {
  const s = await pgSchema('crmsync_pub')
  schemas.push(s)
  return s
}

beforeAll(async () => {
  if (!hasPg) return
  emu = await emulator(await makePortal({contacts: 300, deals: 100, appointments: 60, divisions: 6, seed: 32}), {now: () => clock})
  const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--json'], {})
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await emu?.stop()
  for (const s of schemas) await s.drop()
})

const cli = async (args: string[], env: Record<string, string> = {}, opts = {}) => {
  const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, ...args], env, opts)
  return {...r, stderr: flatten(r.stderr)}
}
const publish = async (args: string[], env: Record<string, string> = {}) => {
  const r = await cli([...args, '--json'], env)
  expect(r.code, r.stderr + r.stdout).toBe(0)
  return jsonOf<PublishResult>(r)
}

describe.skipIf(!hasPg)('publish into PostgreSQL (the reference Django schema)', () => {
  let main: Awaited<ReturnType<typeof pgSchema>>

  it('publishes a legacy-like database: rows equal the store, primary keys kept, orders still valid, archived deleted', async () => {
    main = await schema()
    const seeded = await seedLegacy(main.db, store)
    const r = await publish(['--to', PG_URL, '--schema', main.name])
    console.log(
      `postgres publish: ${r.rowsWritten} rows written in ${r.seconds.toFixed(2)} s; ${r.tables.map((t) => `${t.table} +${t.inserted} ~${t.updated} -${t.deleted} rejected ${t.rejectedValues}`).join(', ')}; ${r.through.map((t) => `${t.table} +${t.inserted} -${t.deleted}`).join(', ')}`,
    )
    await checkPublished(main.db, store, seeded)
    expect(r.through[0].deleted).toBe(1) // the stale edge
  }, 120_000)

  it('closed loop: parity diff of the published schema against the store finds no unexplained difference', async () => {
    const {report} = await runParityDiff({legacy: `${PG_URL}?schema=${main.name}`, mapping: MAPPING, db: store, out: join(dir, 'r'), render: false})
    console.log('closed loop (postgres) totals', JSON.stringify(report.totals))
    expectClosedLoop(report)
  }, 60_000)

  it('incremental: after the mutation schedule, sync all --publish-to writes about the changes and equals a fresh full publish', async () => {
    clock += 60_000
    const {ops, contacts: con} = await publishMutations(store, {contact: 60, deal: 2})
    emu.mutate(ops)
    clock += 10_000
    const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--publish-to', PG_URL, '--publish-schema', main.name, '--mapping', MAPPING, '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const out = jsonOf<{status: string; totals: {inserted: number; updated: number; deleted: number}; publish: PublishResult}>(r)
    expect(out.publish.full).toBe(false)
    const changes = out.totals.inserted + out.totals.updated + out.totals.deleted
    console.log(`incremental: ${ops.length} mutations, sync changed ${changes} records; publish ${writtenSummary(out.publish)}`)
    expect(out.publish.rowsWritten).toBeGreaterThanOrEqual(ops.length - 1)
    expect(out.publish.rowsWritten).toBeLessThanOrEqual(3 * ops.length)
    const fresh = await schema()
    const full = await publish(['--to', PG_URL, '--schema', fresh.name])
    expect(full.full).toBe(true)
    expect(await picture(main.db)).toEqual(await picture(fresh.db))
    expect((await main.db.query('SELECT email FROM crm_contact WHERE hubspot_id = ?', [con[60]]))[0].email).toBe('changed@example.com')
    expect(await main.db.query('SELECT 1 FROM crm_contact WHERE hubspot_id IN (?, ?)', [con[61], con[63]])).toEqual([]) // archived, merged away
  }, 120_000)

  it('20 kill -9 at random moments of a publish, each followed by a rerun: the target equals an uninterrupted publish', async () => {
    const {killed, tries} = await publishKillMatrix(store, MAPPING)
    console.log(`kill -9: ${killed} publishes killed before they finished (of ${tries} tries), each rerun equal to the uninterrupted publish`)
    expect(killed).toBe(20)
  }, 600_000)

  it('two publishers to one target: the second is refused with a clear message', async () => {
    const s = await schema()
    const first = cli(['--to', PG_URL, '--schema', s.name, '--batch-size', '20'], {CRMSYNC_PUBLISH_BATCH_DELAY_MS: '100'})
    // wait until the first holds the lock and has committed a batch
    for (let i = 0; i < 200 && Number((await s.db.query('SELECT COUNT(*) AS n FROM crm_division'))[0].n) === 0; i++) await new Promise((r) => setTimeout(r, 50))
    const second = await cli(['--to', PG_URL, '--schema', s.name])
    expect(second.code).toBe(1)
    expect(second.stderr).toMatch(/another crmsync publish into .* is running/)
    expect((await first).code).toBe(0)
  }, 120_000)

  describe('bad input: exit 2 or 1 naming the fix, nothing written', () => {
    const nothingWritten = async (db: Awaited<ReturnType<typeof pgSchema>>['db']) => {
      for (const t of ['crm_division', 'crm_contact', 'crm_deal', 'crm_deal_contacts', 'crm_appointment']) expect(Number((await db.query(`SELECT COUNT(*) AS n FROM ${t}`))[0].n), t).toBe(0)
    }
    it('a missing column and a column of the wrong type', async () => {
      const s = await schema()
      await s.db.query('ALTER TABLE crm_contact DROP COLUMN phone')
      await s.db.query('ALTER TABLE crm_deal ALTER COLUMN amount TYPE integer')
      const r = await cli(['--to', PG_URL, '--schema', s.name])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/crm_contact has no column phone/)
      expect(r.stderr).toMatch(/crm_deal\.amount is integer, which cannot hold numeric values/)
      expect(r.stderr).toMatch(/never creates or alters/)
      await nothingWritten(s.db)
    }, 60_000)
    it('a mapping entity without a table', async () => {
      const mapping = JSON.parse((await import('node:fs')).readFileSync(MAPPING, 'utf8'))
      delete mapping.entities.contacts.table
      const file = join(dir, 'no-table.json')
      writeFileSync(file, JSON.stringify(mapping))
      const s = await schema()
      const r = await runCli(['publish', '--mapping', file, '--db', store, '--to', PG_URL, '--schema', s.name], {})
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/entities\.contacts\.table/)
      await nothingWritten(s.db)
    }, 60_000)
    it('an unreachable database (exit 1), a malformed URL holding a password (exit 2, not echoed), a missing schema (exit 2)', async () => {
      const down = await cli(['--to', 'postgres://postgres@127.0.0.1:1/test'])
      expect(down.code).toBe(1)
      expect(down.stderr).toMatch(/cannot connect to the publish target .*check host, port/)
      const bad = await cli(['--to', 'postgres://app:s3cr3t-pw@[::1/test'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/--to URL is malformed/)
      expect(bad.stdout + bad.stderr).not.toContain('s3cr3t-pw')
      const none = await cli(['--to', PG_URL, '--schema', 'no_such_schema_here'])
      expect(none.code).toBe(2)
      expect(none.stderr).toMatch(/has no schema no_such_schema_here/)
    }, 60_000)
    it('a read-only user: exit 2 naming the missing privileges; a password in --to is never printed or stored', async () => {
      const s = await schema()
      const role = `crmsync_ro_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
      const admin = new pg.Client({connectionString: PG_URL})
      await admin.connect()
      try {
        await admin.query(`CREATE ROLE ${role} LOGIN`)
        await admin.query(`GRANT USAGE ON SCHEMA "${s.name}" TO ${role}`)
        await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA "${s.name}" TO ${role}`)
        const r = await cli(['--to', `postgres://${role}:ro-secret-pw@127.0.0.1:5432/test`, '--schema', s.name])
        expect(r.code).toBe(2)
        expect(r.stderr).toMatch(new RegExp(`may not INSERT, UPDATE, DELETE on crm_division`))
        expect(r.stderr).toMatch(/GRANT|privileges|fix the target/)
        expect(r.stdout + r.stderr).not.toContain('ro-secret-pw')
        await nothingWritten(s.db)
        const ok = await cli(['--to', 'postgres://postgres:su-secret-pw@127.0.0.1:5432/test', '--schema', s.name, '--json'])
        expect(ok.code, ok.stderr).toBe(0)
        expect(ok.stdout + ok.stderr).not.toContain('su-secret-pw')
        const st = openStore(store, {readonly: true})
        expect(JSON.stringify(st.db.prepare('SELECT * FROM publish_cursors').all())).not.toContain('su-secret-pw')
        st.close()
      } finally {
        await admin.query(`DROP OWNED BY ${role}`).catch(() => undefined)
        await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
        await admin.end()
      }
    }, 60_000)
  })
})
