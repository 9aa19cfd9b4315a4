/**
 * The one-publisher lock with a wait (`publish --lock-wait`, `sync all --publish-wait`), on both
 * target dialects: several hosts that each run `sync all --publish-to` into one target publish one
 * after the other instead of all but one exiting 1. Held by another publisher: without a wait,
 * exit 1 at once with nothing written; with a wait shorter than the holder, exit 1 naming the wait;
 * with a wait the holder's release falls into, the publish goes on and writes everything. A bad
 * wait is refused before the sync touches anything.
 */
import {existsSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {emulator, jsonOf, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'
import {flatten} from '../helpers/cli.js'
import {PG_URL, pgAvailable, picture} from '../helpers/django-target.js'
import {makeTarget, type PublishTargetUnderTest} from '../helpers/publish-targets.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const hasPg = await pgAvailable()
const dir = tempDir('crmsync-publish-lock-')
const store = join(dir, 'store.db')
let emu: RunningEmulator

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 80, deals: 20, appointments: 15, divisions: 3, seed: 41}))
  const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--json'], {})
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await emu?.stop()
})

/** Another publisher holding `t`'s lock, as that dialect's publishers see it; `release` lets it go. */
async function holdLock(t: PublishTargetUnderTest): Promise<{release(): Promise<void>}> {
  if (t.dialect === 'postgres') {
    const schema = t.args[t.args.indexOf('--schema') + 1]
    const holder = new pg.Client({connectionString: PG_URL})
    await holder.connect()
    await holder.query(`SELECT pg_advisory_lock(hashtext('crmsync publish'), hashtext($1))`, [schema])
    return {release: () => holder.end()}
  }
  // a live process on this host (this test runner) holds the row
  await t.db.query('CREATE TABLE IF NOT EXISTS crmsync_publish_lock (id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL)')
  await t.db.query(`INSERT OR REPLACE INTO crmsync_publish_lock (id, host, pid, started_at) VALUES (1, ?, ?, '2026-12-02T07:00:00Z')`, [hostname(), process.pid])
  return {release: async () => void (await t.db.query('DELETE FROM crmsync_publish_lock'))}
}

const publish = (t: PublishTargetUnderTest, ...args: string[]) => runCli(['publish', '--mapping', MAPPING, '--db', store, ...t.args, ...args], {})

/** Release `lock` once the child's stderr shows `line` (the child is waiting), so the wait is seen whatever the machine's speed. */
function releaseOn(lock: {release(): Promise<void>}, line: RegExp): {onStderr(all: string): void; released: Promise<void>} {
  let go: () => void
  const seen = new Promise<void>((r) => (go = r))
  return {onStderr: (all) => line.test(all) && go(), released: seen.then(() => lock.release())}
}
const rows = async (t: PublishTargetUnderTest): Promise<number> => Number((await t.db.query('SELECT count(*) AS n FROM crm_contact'))[0].n)

describe.each(['sqlite', 'postgres'] as const)('the publish lock of a %s target', (dialect) => {
  const skip = dialect === 'postgres' && !hasPg
  let target: PublishTargetUnderTest
  beforeAll(async () => {
    if (!skip) target = await makeTarget(dialect, dir, `lockwait_${dialect}`)
  })
  afterAll(async () => {
    await target?.drop()
  })

  it.skipIf(skip)(
    'held: exit 1 at once without --lock-wait, exit 1 naming the wait when it runs out; nothing written either way',
    async () => {
      const before = await picture(target.db)
      const lock = await holdLock(target)
      try {
        const now = await publish(target)
        expect(now.code).toBe(1)
        expect(flatten(now.stderr)).toMatch(/another crmsync publish into .* is running .*two publishers to one target cannot run at once/)
        expect(flatten(now.stderr)).toMatch(/--lock-wait 5m on publish, --publish-wait 5m on sync all/)
        const waited = await publish(target, '--lock-wait', '600ms')
        expect(waited.code).toBe(1)
        expect(flatten(waited.stderr)).toMatch(/it still did after waiting 600ms/)
      } finally {
        await lock.release()
      }
      expect(await picture(target.db)).toEqual(before)
    },
    60_000,
  )

  it.skipIf(skip)(
    'held, then released within --lock-wait: the publish waits (a step of its display), then writes every row',
    async () => {
      const release = releaseOn(await holdLock(target), /wait for the publish lock/)
      const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, ...target.args, '--lock-wait', '30s', '--progress', 'lines', '--progress-interval', '200ms', '--json'], {}, release)
      await release.released
      expect(r.code, r.stderr).toBe(0)
      expect(jsonOf<PublishResult>(r).full).toBe(true)
      expect(await rows(target)).toBeGreaterThan(0)
    },
    60_000,
  )

  it.skipIf(skip)(
    'sync all --publish-to --publish-wait: the sync runs, its publish waits for the holder, then publishes',
    async () => {
      const release = releaseOn(await holdLock(target), /wait for the publish lock/)
      const r = await runCli(
        [
          'sync',
          'all',
          '--db',
          store,
          '--base-url',
          emu.url,
          '--publish-to',
          ...target.args.slice(1, 2),
          ...publishSchema(target),
          '--mapping',
          MAPPING,
          '--publish-wait',
          '30s',
          '--progress',
          'lines',
          '--json',
        ],
        {},
        release,
      )
      await release.released
      expect(r.code, r.stderr).toBe(0)
      const out = jsonOf<{status: string; publish: PublishResult}>(r)
      expect(out.status).toBe('ok')
      expect(out.publish.full).toBe(false) // the earlier publish left this target's cursor
    },
    60_000,
  )
})

/** `--publish-schema NAME` for a target given as `--to URL --schema NAME`. */
function publishSchema(t: PublishTargetUnderTest): string[] {
  const i = t.args.indexOf('--schema')
  return i < 0 ? [] : ['--publish-schema', t.args[i + 1]]
}

it('a bad --publish-wait is refused (exit 2) before the sync opens or writes a store', async () => {
  const fresh = join(dir, 'never.db')
  const r = await runCli(['sync', 'all', '--db', fresh, '--base-url', emu.url, '--publish-to', join(dir, 'app.sqlite3'), '--mapping', MAPPING, '--publish-wait', 'soon'], {})
  expect(r.code).toBe(2)
  expect(flatten(r.stderr)).toMatch(/--publish-wait "soon" is not a duration/)
  expect(existsSync(fresh)).toBe(false)
}, 30_000)
