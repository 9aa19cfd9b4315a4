import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import {jsonOf, runCli, tempDir} from '../conformance/sync-harness.js'
import {pgAvailable, picture} from '../helpers/django-target.js'
import {putRecords, setEdges, smallStore} from '../helpers/publish-store.js'
import {makeTarget, type PublishTargetUnderTest} from '../helpers/publish-targets.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const dir = tempDir('crmsync-publish-dry-')
const hasPg = await pgAvailable()
const targets: PublishTargetUnderTest[] = []
afterAll(async () => {
  for (const t of targets) await t.drop()
})

const strip = (r: PublishResult) => ({
  tables: r.tables.map(({table, inserted, updated, unchanged, deleted}) => ({table, inserted, updated, unchanged, deleted})),
  through: r.through.map(({table, inserted, deleted}) => ({table, inserted, deleted})),
  rowsWritten: r.rowsWritten,
})

describe.each([
  {dialect: 'sqlite' as const, skip: false},
  {dialect: 'postgres' as const, skip: !hasPg},
])('publish --dry-run counts exactly what the publish then writes ($dialect target)', ({dialect, skip}) => {
  it.skipIf(skip)(
    'incremental: new rows with through rows and foreign keys to other new rows, changed edges, archived records',
    async () => {
      const store = join(dir, `${dialect}-store.db`)
      smallStore(store)
      putRecords(store, 'appointments', ['4']) // no contact yet: contact_id NULL
      const t = await makeTarget(dialect, dir, 'dry')
      targets.push(t)
      const publish = async (...extra: string[]): Promise<PublishResult> => {
        const r = await runCli(['publish', '--mapping', MAPPING, '--db', store, ...t.args, '--json', ...extra], {})
        expect(r.code, r.stderr + r.stdout).toBe(0)
        return jsonOf<PublishResult>(r)
      }
      await publish()

      // the changes one incremental publish then carries
      putRecords(store, 'contacts', ['13', '14']) // new
      setEdges(store, 'contacts', 'divisions', {'13': ['1'], '14': ['2']})
      putRecords(store, 'deals', ['5']) // new, with two new contacts and an old one: through rows to rows not yet in the target
      setEdges(store, 'deals', 'contacts', {'5': ['13', '14', '1'], '1': ['2', '3', '13']}) // deal 1: contact 1 out, new contact 13 in
      setEdges(store, 'appointments', 'contacts', {'4': ['14']}) // an existing row's FK to a new row
      putRecords(store, 'deals', ['3'], {archived: true}) // deleted with its 3 through rows
      putRecords(store, 'contacts', ['4'], {archived: true}) // its edge with deal 2 goes: one through row, removed once, not twice

      const before = await picture(t.db)
      const dry = await publish('--dry-run')
      expect(dry.dryRun).toBe(true)
      expect(await picture(t.db)).toEqual(before) // nothing changed
      const real = await publish()
      console.log(`${dialect} dry run ${JSON.stringify(strip(dry))}\n${dialect} publish ${JSON.stringify(strip(real))}`)
      expect(strip(dry)).toEqual(strip(real))
      // the scenario reaches every path it is meant to
      const through = real.through.find((x) => x.table === 'crm_deal_contacts')!
      expect(through).toMatchObject({inserted: 4, deleted: 5}) // +5→13, +5→14, +5→1, +1→13; -1→1, -3→7, -3→8, -3→9, -2→4
      expect(real.tables.find((x) => x.table === 'crm_appointment')!.updated).toBe(1)
      expect(real.tables.find((x) => x.table === 'crm_contact')).toMatchObject({inserted: 2, deleted: 1})
      expect(real.tables.find((x) => x.table === 'crm_deal')).toMatchObject({inserted: 1, deleted: 1})
      // and a dry run after the publish has nothing left to count
      expect((await publish('--dry-run')).rowsWritten).toBe(0)
    },
    120_000,
  )
})
