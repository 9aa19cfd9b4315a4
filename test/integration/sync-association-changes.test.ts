/**
 * Association-only changes (HubSpot moves neither record's modified date) reach the store through
 * the rolling reconciliation within the number of runs `sync status` promises, and never with
 * `--reconcile-associations off` (the control). A v1 associations checkpoint (before the
 * reconciliation) is upgraded without losing the cursor.
 */
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {sliceCursorOf, sliceProgress} from '../../src/core/reconcile.js'
import type {MutationOp, RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePicture, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator

function liveIds(entity: string): string[] {
  const info = emu.store.registry.find(entity)!
  return emu.store.db.prepare('SELECT id FROM records WHERE ent = ? AND archived = 0 ORDER BY idlen, id').pluck().all(info.index) as string[]
}

/** Live ids least recently modified first: far outside any incremental run's look-back window. */
function oldest(entity: string): string[] {
  const info = emu.store.registry.find(entity)!
  return emu.store.db.prepare('SELECT id FROM records WHERE ent = ? AND archived = 0 ORDER BY mod_ms, idlen, id').pluck().all(info.index) as string[]
}

async function sync(db: string, ...extra: string[]): Promise<{streams: Array<{stream: string; requests: number; fetched: number}>}> {
  const r = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--json', ...extra], {})
  expect(r.code, r.stderr).toBe(0)
  return jsonOf(r)
}

async function status(db: string): Promise<{json: {streams: Array<{stream: string; cursor: unknown}>}; text: string}> {
  const j = await runCli(['sync', 'status', '--db', db, '--json'], {})
  const t = await runCli(['sync', 'status', '--db', db], {})
  expect(j.code, j.stderr).toBe(0)
  return {json: jsonOf(j), text: t.stdout}
}

function associationsCheckpoint(st: {streams: Array<{stream: string; cursor: unknown}>}): Record<string, unknown> {
  return st.streams.find((s) => s.stream === 'associations')!.cursor as Record<string, unknown>
}

describe('association-only changes and the rolling reconciliation', () => {
  beforeAll(async () => {
    emu = await emulator(await makePortal({contacts: 200, deals: 60, appointments: 40, divisions: 5, seed: 21}))
  })
  afterAll(async () => {
    await emu?.stop()
  })

  it('reach the store within the runs sync status promises, and not with --reconcile-associations off', async () => {
    const db = join(tempDir(), 'store.db')
    const control = join(tempDir(), 'control.db')
    await sync(db)
    await sync(control)
    expect(storePicture(db).associations).toEqual(emulatorPicture(emu).associations)

    // association-only changes in the first pair (contacts→deals) and the last (appointments→divisions)
    const before = emulatorPicture(emu)
    // between records modified long ago, so that no incremental search finds either side
    const [contact] = oldest('contacts').filter(
      (id) => !emu.store.db.prepare('SELECT 1 FROM assoc WHERE fe = ? AND fid = ? AND te = ?').get(emu.store.registry.find('contacts')!.index, id, emu.store.registry.find('deals')!.index),
    )
    const [deal] = oldest('deals')
    const [division] = oldest('divisions')
    const oldAppointments = oldest('appointments')
    const apptIndex = emu.store.registry.find('appointments')!.index
    const divIndex = emu.store.registry.find('divisions')!.index
    const unlinked = oldAppointments.find((id) => !emu.store.db.prepare('SELECT 1 FROM assoc WHERE fe = ? AND fid = ? AND te = ? AND tid = ?').get(apptIndex, id, divIndex, division))!
    const linked = emu.store.db.prepare('SELECT fid, tid FROM assoc WHERE fe = ? AND te = ? LIMIT 1').get(apptIndex, divIndex) as {fid: string; tid: string}
    const ops: MutationOp[] = [
      {kind: 'associate', fromEntity: 'contacts', fromId: contact, toEntity: 'deals', toId: deal},
      {kind: 'unassociate', fromEntity: 'appointments', fromId: linked.fid, toEntity: 'divisions', toId: linked.tid},
      {kind: 'associate', fromEntity: 'appointments', fromId: unlinked, toEntity: 'divisions', toId: division, typeId: 47},
    ]
    emu.mutate(ops)
    const after = emulatorPicture(emu)
    expect(after.records).toEqual(before.records) // no record's modified date moved
    expect(after.associations).not.toEqual(before.associations)

    await sync(db)
    const st = await status(db)
    const slice = sliceCursorOf(associationsCheckpoint(st.json))!
    expect(slice).not.toBeNull()
    const promised = sliceProgress(slice).runsPerPass!
    expect(promised).toBeGreaterThanOrEqual(1)
    expect(st.text).toContain(`a full pass takes ${promised} run${promised === 1 ? '' : 's'} at the last run's slice`)
    console.log(st.text.split('\n').find((l) => l.includes('reconciliation')))
    // the rest of the promised runs (no record changed in between)
    for (let i = 1; i < promised; i++) {
      expect(storePicture(db).associations, `reached the store early, after run ${i} of ${promised}`).not.toEqual(after.associations)
      await sync(db)
    }
    expect(storePicture(db).associations).toEqual(emulatorPicture(emu).associations)

    // the control: as many runs without the reconciliation never see them
    for (let i = 0; i < promised; i++) await sync(control, '--reconcile-associations', 'off')
    const seen = storePicture(control).associations
    expect(seen).toEqual(before.associations)
    expect(seen).not.toEqual(emulatorPicture(emu).associations)
  }, 240_000)

  it('--reconcile-associations full re-checks every edge in one incremental run', async () => {
    const db = join(tempDir(), 'full.db')
    await sync(db)
    const contacts = liveIds('contacts')
    const deals = liveIds('deals')
    emu.mutate({kind: 'associate', fromEntity: 'contacts', fromId: contacts[1], toEntity: 'deals', toId: deals[deals.length - 1]})
    await sync(db, '--reconcile-associations', 'full')
    expect(storePicture(db).associations).toEqual(emulatorPicture(emu).associations)
  }, 120_000)

  it('upgrades a v1 associations checkpoint without losing the cursor (no full rerun)', async () => {
    const db = join(tempDir(), 'upgrade.db')
    const first = await sync(db)
    const fullFetched = first.streams.find((s) => s.stream === 'associations')!.fetched
    // the checkpoint as crmsync wrote it before the reconciliation: v 1, no slice cursor
    const sdb = new Database(db)
    const row = sdb.prepare("SELECT value FROM checkpoints WHERE stream = 'associations'").get() as {value: string}
    const {reconcile: _r, ...rest} = JSON.parse(row.value) as Record<string, unknown>
    sdb.prepare("UPDATE checkpoints SET value = ? WHERE stream = 'associations'").run(JSON.stringify({...rest, v: 1}))
    sdb.close()
    const next = await sync(db, '--reconcile-associations', 'off')
    const cp = associationsCheckpoint((await status(db)).json)
    expect(cp.v).toBe(2)
    expect(Object.keys(cp.since as object).length).toBeGreaterThan(0) // incremental, from the v1 cursors
    expect(next.streams.find((s) => s.stream === 'associations')!.fetched).toBeLessThan(fullFetched)
  }, 120_000)
})
