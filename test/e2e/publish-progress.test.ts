/**
 * `crmsync publish` progress off a terminal: one line per step (`upsert crm_contact`, `delete
 * crm_deal`, ...) every --progress-interval while it runs and one when it ends, with the rows it
 * handled, the total (a full publish: the entity's live records), percentage and ETA; the final
 * line of each upsert step equals the table's counts in the JSON result. `--progress none`: silent.
 */
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {emulator, jsonOf, makePortal, runCli, tempDir} from '../conformance/sync-harness.js'
import {sqliteTarget} from '../helpers/django-target.js'
import {progressLines} from '../helpers/progress-lines.js'
import {storeIds} from '../helpers/publish-scenario.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
let emu: RunningEmulator
const dir = tempDir('crmsync-publish-progress-')
const store = join(dir, 'store.db')

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 300, deals: 60, appointments: 30, divisions: 4, seed: 7}))
  const r = await runCli(['sync', 'all', '--db', store, '--base-url', emu.url, '--json'], {})
  expect(r.code, r.stderr).toBe(0)
}, 120_000)
afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
})

describe('publish progress off a terminal', () => {
  it('writes a JSON line per running step every interval and one when it ends, with rows, total, percentage and ETA', async () => {
    const file = join(dir, 'app.sqlite3')
    await sqliteTarget(file).close()
    // 25 rows a batch and 150 ms per batch: the contacts step runs ~2 s, several interval lines
    const r = await runCli(
      ['publish', '--mapping', MAPPING, '--db', store, '--to', file, '--batch-size', '25', '--json', '--progress', 'lines', '--log-format', 'json', '--progress-interval', '300ms'],
      {CRMSYNC_PUBLISH_BATCH_DELAY_MS: '150'},
    )
    expect(r.code, r.stderr).toBe(0)
    const result = jsonOf<PublishResult>(r)
    const lines = progressLines(r.stderr)
    expect(lines.every((l) => l.event === 'progress' && l.command === 'publish' && l.unit === 'rows')).toBe(true)
    const steps = [...new Set(lines.map((l) => l.stream))]
    expect(steps).toEqual([...result.tables.map((t) => `upsert ${t.table}`), ...[...result.tables].reverse().map((t) => `delete ${t.table}`)])
    const liveContacts = (await storeIds(store, 'contacts')).live.length
    const contacts = lines.filter((l) => l.stream === 'upsert crm_contact')
    expect(contacts.every((l) => l.total === liveContacts)).toBe(true)
    const running = contacts.filter((l) => l.state === 'running' && l.records > 0 && l.records < liveContacts)
    expect(running.length, 'no line while the contacts step ran').toBeGreaterThan(0)
    for (const l of running) {
      expect(l.percent).toBe(Math.floor((l.records / liveContacts) * 100))
      expect(l.etaSeconds).toEqual(expect.any(Number))
    }
    // one final line per step, with the result's counts
    for (const t of result.tables) {
      const done = lines.filter((l) => l.stream === `upsert ${t.table}` && l.state === 'done')
      expect(done, t.table).toHaveLength(1)
      expect(done[0].records).toBe(t.inserted + t.updated + t.unchanged)
      expect(lines.filter((l) => l.stream === `delete ${t.table}` && l.state === 'done')).toHaveLength(1)
    }
    expect(contacts.at(-1)).toMatchObject({state: 'done', records: liveContacts, percent: 100})
  }, 120_000)

  it('writes human lines by default off a terminal, and nothing with --progress none', async () => {
    const file = join(dir, 'app2.sqlite3')
    await sqliteTarget(file).close()
    const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, '--to', file], {})
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\S+Z publish upsert crm_contact: [\d,]+\/~[\d,]+ rows \(100%\) \| [\d,]+ rows\/s \| done in \d+\.\ds$/m)
    const q = await runCli(['publish', '--mapping', MAPPING, '--db', store, '--to', file, '--full', '--progress', 'none'], {})
    expect(q.code, q.stderr).toBe(0)
    expect(q.stderr).toBe('')
  }, 120_000)
})
