/**
 * `crmsync publish` and `sync all --publish-to` from a PostgreSQL store (issue 14: every command on
 * both stores), into a PostgreSQL target and into a SQLite target: the legacy-like scenario, the
 * closed loop, and incremental publishes after the emulator's mutation schedule that equal a fresh
 * full publish, and 20 publishes killed with kill -9 at random moments, each rerun equal to an
 * uninterrupted publish. The store, the targets and the emulator are real (loopback), the CLI a child process.
 */
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {emulator, jsonOf, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'
import {flatten} from '../helpers/cli.js'
import {PG_URL, pgSchema, picture, sqliteTarget, type TargetDb} from '../helpers/django-target.js'
import {dropSchemas, pgAvailable, storeUrl, uniqueSchema, withPg} from '../helpers/postgres.js'
import {publishKillMatrix} from '../helpers/publish-kill-matrix.js'
import {checkPublished, expectClosedLoop, publishMutations, seedLegacy, writtenSummary} from '../helpers/publish-scenario.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const hasPg = await pgAvailable()
const dir = tempDir('crmsync-publish-from-pg-')
const storeSchema = uniqueSchema('pubsrc')
const store = storeUrl(storeSchema)
let emu: RunningEmulator
let clock = Date.now()
const targets: Array<Awaited<ReturnType<typeof pgSchema>>> = []
const pgTarget = async (): Promise<Awaited<ReturnType<typeof pgSchema>>> => {
  const s = await pgSchema('crmsync_pubpg')
  targets.push(s)
  return s
}

beforeAll(async () => {
  if (!hasPg) return
  emu = await emulator(await makePortal({contacts: 300, deals: 100, appointments: 60, divisions: 6, seed: 33}), {now: () => clock})
  const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--json'], {})
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await emu?.stop()
  for (const s of targets) await s.drop()
  if (hasPg) await dropSchemas([storeSchema])
})

const publish = async (args: string[]): Promise<PublishResult> => {
  const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, '--json', ...args], {})
  expect(r.code, flatten(r.stderr) + r.stdout).toBe(0)
  return jsonOf<PublishResult>(r)
}

/** Edge tombstones in the store. */
const tombstones = (): Promise<number> => withPg(async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${storeSchema}".edge_tombstones`)).rows[0].n))

async function closedLoop(legacy: string, tag: string): Promise<void> {
  const {report} = await runParityDiff({legacy, mapping: MAPPING, db: store, out: join(dir, `r-${tag}`), render: false})
  console.log(`closed loop (postgres store → ${tag}) totals`, JSON.stringify(report.totals))
  expectClosedLoop(report)
}

describe.skipIf(!hasPg)('publish from a PostgreSQL store', () => {
  let main: Awaited<ReturnType<typeof pgTarget>>
  const file = join(dir, 'app.sqlite3')
  let lite: TargetDb

  it('into PostgreSQL: rows equal the store, primary keys kept, orders still valid, archived deleted; the closed loop finds 0 differences', async () => {
    main = await pgTarget()
    const seeded = await seedLegacy(main.db, store)
    const r = await publish(['--to', PG_URL, '--schema', main.name])
    console.log(`postgres store → postgres: ${writtenSummary(r)} in ${r.seconds.toFixed(2)} s`)
    expect(r.full).toBe(true)
    await checkPublished(main.db, store, seeded)
    expect(r.through[0].deleted).toBe(1) // the stale edge
    await closedLoop(`${PG_URL}?schema=${main.name}`, 'postgres')
  }, 120_000)

  it('into SQLite: the same checks; a second publish writes nothing', async () => {
    lite = sqliteTarget(file)
    const seeded = await seedLegacy(lite, store)
    const r = await publish(['--to', file])
    console.log(`postgres store → sqlite: ${writtenSummary(r)} in ${r.seconds.toFixed(2)} s`)
    await checkPublished(lite, store, seeded)
    await closedLoop(file, 'sqlite')
    const again = await publish(['--to', file])
    expect(again.full).toBe(false)
    expect(again.rowsWritten).toBe(0)
  }, 120_000)

  it('incremental: after the mutation schedule, sync all --db postgres:// --publish-to writes about the changes, into each target, and equals a fresh full publish', async () => {
    clock += 60_000
    const {ops, contacts: con} = await publishMutations(store, {contact: 70, deal: 3})
    emu.mutate(ops)
    clock += 10_000
    const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--publish-to', PG_URL, '--publish-schema', main.name, '--mapping', MAPPING, '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const out = jsonOf<{status: string; totals: {inserted: number; updated: number; deleted: number}; publish: PublishResult}>(r)
    expect(out.publish.full).toBe(false)
    const changes = out.totals.inserted + out.totals.updated + out.totals.deleted
    console.log(`incremental (postgres store → postgres): ${ops.length} mutations, sync changed ${changes} records; publish ${writtenSummary(out.publish)}`)
    expect(out.publish.rowsWritten).toBeGreaterThanOrEqual(ops.length - 1)
    expect(out.publish.rowsWritten).toBeLessThanOrEqual(3 * ops.length)
    const fresh = await pgTarget()
    const full = await publish(['--to', PG_URL, '--schema', fresh.name])
    expect(full.full).toBe(true)
    expect(await picture(main.db)).toEqual(await picture(fresh.db))
    expect((await main.db.query('SELECT email FROM crm_contact WHERE hubspot_id = ?', [con[70]]))[0].email).toBe('changed@example.com')
    expect(await main.db.query('SELECT 1 FROM crm_contact WHERE hubspot_id IN (?, ?)', [con[71], con[73]])).toEqual([]) // archived, merged away

    // the SQLite target has its own cursor (from before the mutations): its incremental publish catches up the same way,
    // with the tombstones of the removed edges, kept for it until then and pruned after
    expect(await tombstones()).toBeGreaterThan(0)
    const inc = await publish(['--to', file])
    console.log(`incremental (postgres store → sqlite): ${writtenSummary(inc)}`)
    expect(inc.full).toBe(false)
    expect(inc.rowsWritten).toBeGreaterThanOrEqual(ops.length - 1)
    expect(inc.rowsWritten).toBeLessThanOrEqual(3 * ops.length)
    expect(await tombstones()).toBe(0)
    const freshFile = join(dir, 'fresh.sqlite3')
    const freshLite = sqliteTarget(freshFile)
    try {
      expect((await publish(['--to', freshFile])).full).toBe(true)
      expect(await picture(lite)).toEqual(await picture(freshLite))
    } finally {
      await freshLite.close()
    }
    await closedLoop(`${PG_URL}?schema=${main.name}`, 'postgres, after the mutations')
  }, 180_000)

  it('20 kill -9 at random moments of a publish from the PostgreSQL store, each followed by a rerun: the target equals an uninterrupted publish', async () => {
    const {killed, tries} = await publishKillMatrix(store, MAPPING)
    console.log(`kill -9 (postgres store): ${killed} publishes killed before they finished (of ${tries} tries), each rerun equal to the uninterrupted publish`)
    expect(killed).toBe(20)
  }, 600_000)

  afterAll(async () => {
    await lite?.close()
  })
})
