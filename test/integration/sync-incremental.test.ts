import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {API_VERSIONS} from '../../src/connectors/hubspot/objects.js'
import type {MutationOp, RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePicture, tempDir} from '../conformance/sync-harness.js'

interface Summary {
  status: string
  streams: Array<{stream: string; searchRequests: number; requests: number; fetched: number; counts: Record<string, number>}>
}

let emu: RunningEmulator
let clock = Date.now()
const LAG_MS = 20_000

function liveIds(entity: string): string[] {
  const info = emu.store.registry.find(entity)!
  return emu.store.db.prepare('SELECT id FROM records WHERE ent = ? AND archived = 0 ORDER BY idlen, id').pluck().all(info.index) as string[]
}

// the whole suite on both API versions, each against its own emulator (the schedule mutates it)
describe.each(API_VERSIONS)('incremental sync with the mutation schedule, --api-version %s', (version) => {
  beforeAll(async () => {
    clock = Date.now()
    const dir = await makePortal({contacts: 200, deals: 60, appointments: 40, divisions: 5, sharedTimestamp: 40, seed: 21})
    emu = await emulator(dir, {now: () => clock, faults: `index-lag:ms=${LAG_MS}`})
  })
  afterAll(async () => {
    await emu?.stop()
  })

  it('ends equal to a fresh full sync, with about ceil(changed/200) search requests per stream', async () => {
    const db = join(tempDir(), 'store.db')
    const sync = async (...extra: string[]) => {
      const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--api-version', version, '--json', ...extra], {})
      expect(r.code, r.stderr).toBe(0)
      return jsonOf<Summary>(r)
    }
    await sync()

    // mutations: creates, updates, archives, merges, associations, and 12,000 contacts sharing one timestamp
    clock += 60_000
    const contacts = liveIds('contacts')
    const deals = liveIds('deals')
    const ops: MutationOp[] = [
      {kind: 'update', entity: 'contacts', id: contacts[3], properties: {firstname: 'Changed'}},
      {kind: 'update', entity: 'deals', id: deals[2], properties: {amount: '99.5'}},
      {kind: 'archive', entity: 'contacts', id: contacts[5]},
      {kind: 'archive', entity: 'deals', id: deals[4]},
      {kind: 'merge', entity: 'contacts', winnerId: contacts[7], loserId: contacts[8]},
      {kind: 'create', entity: 'deals', properties: {dealname: 'New deal'}},
      {kind: 'associate', fromEntity: 'contacts', fromId: contacts[10], toEntity: 'deals', toId: deals[10]},
      {kind: 'update', entity: 'contacts', id: contacts[10], properties: {lastname: 'Linked'}},
    ]
    emu.mutate(ops)
    const bulk: MutationOp[] = []
    for (let i = 0; i < 12_000; i++) bulk.push({kind: 'create', entity: 'contacts', properties: {email: `bulk${i}@example.com`}})
    emu.mutate(bulk)

    // still inside the index lag: search does not see the changes yet
    clock += 1_000
    const early = await sync()
    expect(early.streams.find((s) => s.stream === 'contacts')!.counts.inserted).toBe(0)

    // later: the look-back window (default 5 minutes) catches what was indexed late
    clock += LAG_MS + 5_000
    const late = await sync()
    console.log(late.streams.map((s) => `${s.stream} ${(s as unknown as {seconds: number}).seconds}s ${s.requests} req`).join('\n'))
    const c = late.streams.find((s) => s.stream === 'contacts')!
    expect(c.counts.inserted).toBe(12_000)
    const changed = {contacts: 12_000 + 3, deals: 2, appointments: 0, divisions: 0}
    for (const s of late.streams.filter((x) => x.stream !== 'associations')) {
      const n = changed[s.stream as keyof typeof changed]
      const bound = Math.ceil(n / 200) + 2
      console.log(`incremental ${s.stream}: ${s.searchRequests} search requests for ${n} changed records (ceil(n/200) = ${Math.ceil(n / 200)}), ${s.requests} requests in all`)
      expect(s.searchRequests).toBeLessThanOrEqual(bound)
    }

    const fresh = join(tempDir(), 'fresh.db')
    const f = await runCli(['sync', 'all', '--db', fresh, '--base-url', emu.url, '--api-version', version, '--json'], {})
    console.log(
      jsonOf<Summary>(f)
        .streams.map((s) => `fresh ${s.stream} ${(s as unknown as {seconds: number}).seconds}s ${s.requests} req`)
        .join('\n'),
    )
    expect(f.code, f.stderr).toBe(0)
    const got = storePicture(db)
    const want = storePicture(fresh)
    for (const e of Object.keys(want.records)) expect(got.records[e].length, e).toBe(want.records[e].length)
    for (const e of Object.keys(want.records)) expect(got.records[e], e).toEqual(want.records[e])
    const extra = got.associations.filter((a) => !want.associations.includes(a))
    const missing = want.associations.filter((a) => !got.associations.includes(a))
    expect({extra, missing}).toEqual({extra: [], missing: []})
    expect(got.associations).toEqual(want.associations)
    expect(want).toEqual(emulatorPicture(emu))
  }, 400_000)
})
