/** The rolling reconciliation's neutral parts, the labels pairing, and the emulator's association-only mutations. */
import {afterEach, describe, expect, it} from 'vitest'
import {pairAssociationTypes} from '../../src/connectors/hubspot/association-labels.js'
import {UsageError} from '../../src/core/errors.js'
import {batchesOf, describeSlice, newSliceCursor, parseReconcile, sliceCursorOf, sliceProgress, sliceRequests} from '../../src/core/reconcile.js'
import type {InProcessEmulator} from '../../src/emulator/index.js'
import {call, emulator} from './emulator-fixture.js'

describe('--reconcile-associations', () => {
  it('parses full, off and N%, 10% by default, and refuses anything else with exit 2', () => {
    expect(parseReconcile(undefined)).toEqual({mode: 'share', share: 0.1})
    expect(parseReconcile('off')).toEqual({mode: 'off'})
    expect(parseReconcile('FULL')).toEqual({mode: 'full'})
    expect(parseReconcile('25%')).toEqual({mode: 'share', share: 0.25})
    expect(parseReconcile('100%')).toEqual({mode: 'full'})
    for (const bad of ['0%', '10', 'some', '-5%']) expect(() => parseReconcile(bad)).toThrow(UsageError)
  })

  it('sizes a slice as the share of the whole run, at least one request', () => {
    expect(sliceRequests({mode: 'share', share: 0.1}, 90)).toBe(10) // 10 of 100 in all
    expect(sliceRequests({mode: 'share', share: 0.1}, 0)).toBe(1)
    expect(sliceRequests({mode: 'off'}, 500)).toBe(0)
    expect(sliceRequests({mode: 'full'}, 5)).toBe(Number.POSITIVE_INFINITY)
  })

  it('promises the runs a pass takes from the last slice, bounded by one batch per run', () => {
    expect(batchesOf([2500, 999, 0], 1000)).toBe(4)
    const c = {...newSliceCursor(2, 1000), total: 3499, batches: 4, done: 1000, lastRunBatches: 1}
    expect(sliceProgress(c)).toEqual({pass: 2, done: 1000, total: 3499, runsPerPass: 4, maxRunsPerPass: 4})
    expect(sliceProgress({...c, lastRunBatches: 3}).runsPerPass).toBe(2)
    expect(sliceCursorOf({v: 2, reconcile: c})).toEqual(c)
    expect(sliceCursorOf({v: 1})).toBeNull()
    expect(describeSlice('associations', c)).toBe("associations reconciliation: pass 3 at 1,000 of 3,499 ids\n  a full pass takes 4 runs at the last run's slice (at most 4 at one batch per run)")
  })
})

describe("pairing the labels endpoint's two directions", () => {
  it('pairs default ids, equal labels, then what is left in type id order', () => {
    const fwd = [
      {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
      {category: 'USER_DEFINED', typeId: 1, label: 'Decision maker'},
      {category: 'USER_DEFINED', typeId: 5, label: 'Billing contact'},
    ]
    const rev = [
      {category: 'HUBSPOT_DEFINED', typeId: 3, label: null},
      {category: 'USER_DEFINED', typeId: 6, label: 'Billed deal'},
      {category: 'USER_DEFINED', typeId: 2, label: 'Decision maker'},
    ]
    const pairs = pairAssociationTypes('contacts', 'deals', fwd, rev).map(([f, r]) => [f.typeId, r?.typeId ?? null])
    expect(pairs).toEqual([
      [4, 3],
      [1, 2],
      [5, 6],
    ])
    // a type with no partner in the other direction gets none
    expect(pairAssociationTypes('contacts', 'deals', [{category: 'USER_DEFINED', typeId: 9, label: 'x'}], [])).toEqual([[{category: 'USER_DEFINED', typeId: 9, label: 'x'}, null]])
  })
})

describe("the emulator's association-only changes", () => {
  let emu: InProcessEmulator | undefined
  afterEach(() => emu?.close())

  it("auto mutations add and remove edges without moving any modified date; associate takes the pair's defined type", async () => {
    emu = await emulator({faults: 'mutations:auto,every=1', seed: 5})
    const dates = () => emu!.store.db.prepare('SELECT ent, id, mod_ms FROM records ORDER BY ent, id').all() as Array<{ent: number; id: string; mod_ms: number}>
    const edges = () => emu!.store.db.prepare('SELECT fe, fid, te, tid, types FROM assoc ORDER BY fe, fid, te, tid').all()
    let sawEdgeOnly = false
    for (let i = 0; i < 200 && !sawEdgeOnly; i++) {
      const [d0, e0, n0] = [dates(), edges(), emu.stats.mutations]
      await call(emu, 'GET', '/crm/v3/objects/contacts?limit=1')
      // a mutation happened, every record kept its modified date, and the edges changed
      if (emu.stats.mutations > n0 && JSON.stringify(dates()) === JSON.stringify(d0) && JSON.stringify(edges()) !== JSON.stringify(e0)) sawEdgeOnly = true
    }
    expect(sawEdgeOnly).toBe(true)
    emu.close()
    emu = await emulator()
    emu.mutate({kind: 'associate', fromEntity: 'contacts', fromId: '9', toEntity: 'deals', toId: '105'})
    const fwd = await call(emu, 'POST', '/crm/v4/associations/contacts/deals/batch/read', {inputs: [{id: '9'}]})
    expect(fwd.body.results[0].to[0].associationTypes).toEqual([{category: 'HUBSPOT_DEFINED', typeId: 4, label: null}])
  })
})
