/**
 * The sync suite over every store implementation, through the CLI as a child process against the
 * emulator over loopback: a full sync, a dry run after the mutation schedule, the incremental run,
 * and `export` of every entity of every store byte-identical to the SQLite store's after the same runs.
 */
import {PassThrough} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportEntity} from '../../src/store/export.js'
import {openStoreReader} from '../../src/store/open.js'
import type {MutationOp, RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePictureOf} from './sync-harness.js'
import {STORE_FACTORIES, type StoreFactory} from './store-factories.js'

interface Summary {
  status: string
  dryRun: boolean
  streams: Array<{stream: string; counts: Record<string, number>}>
}

let emu: RunningEmulator
let clock = Date.now()
const factories: StoreFactory[] = STORE_FACTORIES.map((f) => f())
const stores: Array<{factory: StoreFactory; db: string}> = []

beforeAll(async () => {
  emu = await emulator(await makePortal({contacts: 150, deals: 50, appointments: 30, divisions: 5, sharedTimestamp: 30, seed: 41}), {now: () => clock})
  for (const factory of factories) if (await factory.available()) stores.push({factory, db: factory.location('sync')})
})
afterAll(async () => {
  await emu?.stop()
  for (const f of factories) await f.cleanup()
})

function liveIds(entity: string): string[] {
  const info = emu.store.registry.find(entity)!
  return emu.store.db.prepare('SELECT id FROM records WHERE ent = ? AND archived = 0 ORDER BY idlen, id').pluck().all(info.index) as string[]
}

async function sync(db: string, ...extra: string[]): Promise<Summary> {
  const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--json', ...extra], {})
  expect(r.code, r.stderr).toBe(0)
  return jsonOf<Summary>(r)
}

const countsOf = (s: Summary) => Object.fromEntries(s.streams.map((x) => [x.stream, x.counts]))

const EXPORTED = ['contacts', 'deals', 'appointments', 'divisions', 'associations']

/** Every entity and the associations, NDJSON and CSV, one string per output: `crmsync export` as a child process, or in-process. */
async function exportAll(db: string, viaCli = false): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entity of EXPORTED) {
    for (const format of ['ndjson', 'csv'] as const) {
      if (viaCli) {
        const r = await runCli(['export', entity, '--format', format, '--db', db], {})
        expect(r.code, r.stderr).toBe(0)
        out[`${entity}.${format}`] = r.stdout
        continue
      }
      const reader = await openStoreReader(db)
      try {
        const sink = new PassThrough()
        const chunks: Buffer[] = []
        sink.on('data', (d: Buffer) => chunks.push(d))
        await exportEntity(reader, entity, format, sink)
        out[`${entity}.${format}`] = Buffer.concat(chunks).toString('utf8')
      } finally {
        await reader.close()
      }
    }
  }
  return out
}

describe(`sync on every store (${STORE_FACTORIES.length} implementations)`, () => {
  it('full, dry run, incremental: the same counts on every store and exports byte-identical to SQLite', async () => {
    expect(stores.map((s) => s.factory.name)).toContain('sqlite')
    if (stores.length < factories.length)
      console.warn(
        `SKIPPED stores: ${factories
          .filter((f) => !stores.some((s) => s.factory === f))
          .map((f) => f.name)
          .join(', ')}`,
      )
    const full = await Promise.all(stores.map((s) => sync(s.db)))
    for (const f of full) expect(countsOf(f)).toEqual(countsOf(full[0]))
    const afterFull = await Promise.all(stores.map((s) => exportAll(s.db)))
    for (const e of afterFull) expect(e).toEqual(afterFull[0])
    expect(afterFull[0]['contacts.ndjson'].split('\n').length).toBeGreaterThan(150)

    // the mutation schedule: updates, archives, a merge, creates, (un)associations
    clock += 60_000
    const contacts = liveIds('contacts')
    const deals = liveIds('deals')
    const ops: MutationOp[] = [
      {kind: 'update', entity: 'contacts', id: contacts[3], properties: {firstname: 'Changed'}},
      {kind: 'update', entity: 'deals', id: deals[2], properties: {amount: '99.5000000000000000001'}},
      {kind: 'archive', entity: 'contacts', id: contacts[5]},
      {kind: 'archive', entity: 'deals', id: deals[4]},
      {kind: 'merge', entity: 'contacts', winnerId: contacts[7], loserId: contacts[8]},
      {kind: 'create', entity: 'deals', properties: {dealname: 'New deal'}},
      {kind: 'associate', fromEntity: 'contacts', fromId: contacts[10], toEntity: 'deals', toId: deals[10]},
      {kind: 'update', entity: 'contacts', id: contacts[10], properties: {lastname: 'Linked'}},
    ]
    for (let i = 0; i < 300; i++) ops.push({kind: 'create', entity: 'contacts', properties: {email: `bulk${i}@example.com`}})
    emu.mutate(ops)
    clock += 1_000

    const dry = await Promise.all(stores.map((s) => sync(s.db, '--dry-run')))
    for (const d of dry) expect(countsOf(d)).toEqual(countsOf(dry[0]))
    expect(dry[0].streams.find((s) => s.stream === 'contacts')!.counts).toMatchObject({inserted: 300, deleted: 2})
    const afterDry = await Promise.all(stores.map((s) => exportAll(s.db)))
    for (const e of afterDry) expect(e).toEqual(afterFull[0]) // the dry run wrote nothing anywhere

    const incremental = await Promise.all(stores.map((s) => sync(s.db)))
    for (const i of incremental) expect(countsOf(i)).toEqual(countsOf(dry[0])) // a dry run counts what the real run does
    const afterIncremental = await Promise.all(stores.map((s) => exportAll(s.db, true)))
    for (const e of afterIncremental) expect(e).toEqual(afterIncremental[0])
    const want = emulatorPicture(emu)
    for (const s of stores) expect(await storePictureOf(s.db), s.factory.name).toEqual(want)

    const status = await Promise.all(
      stores.map(async (s) =>
        jsonOf<{totals: unknown; streams: Array<{stream: string; rows: number | null; tombstones: number | null; merged: number | null}>}>(
          await runCli(['sync', 'status', '--db', s.db, '--json'], {}),
        ),
      ),
    )
    for (const st of status) {
      expect(st.totals).toEqual(status[0].totals)
      expect(st.streams.map((x) => [x.stream, x.rows, x.tombstones, x.merged])).toEqual(status[0].streams.map((x) => [x.stream, x.rows, x.tombstones, x.merged]))
    }
    console.log(`store conformance: ${stores.map((s) => s.factory.name).join(' = ')}; ${afterIncremental[0]['contacts.ndjson'].split('\n').length - 1} contacts exported identically`)
  }, 300_000)

  it('a full sync read by both lanes (list+search, pages of 20) gives every store the export of a list-only full sync', async () => {
    const portal = await emulator(await makePortal({contacts: 180, deals: 60, appointments: 30, divisions: 5, seed: 43}))
    try {
      const run = async (db: string, lanes: string) => {
        const r = await runCli(['sync', 'all', '--db', db, '--base-url', portal.url, '--json', '--batch-size', '20', '--lanes', lanes], {})
        expect(r.code, r.stderr).toBe(0)
        return jsonOf<{streams: Array<{stream: string; searchRequests: number}>}>(r)
      }
      const listOnly = factories[0].location('lanes-list')
      await run(listOnly, 'list')
      const want = await exportAll(listOnly)
      for (const s of stores) {
        const db = s.factory.location('lanes-both')
        const out = await run(db, 'list+search')
        expect(out.streams.find((x) => x.stream === 'contacts')!.searchRequests, `${s.factory.name}: the search lane read pages`).toBeGreaterThan(1)
        expect(await exportAll(db), s.factory.name).toEqual(want)
      }
    } finally {
      await portal.stop()
    }
  }, 300_000)
})
