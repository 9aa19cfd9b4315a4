import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {API_VERSIONS} from '../../src/connectors/hubspot/objects.js'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePicture, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let small: RunningEmulator
/** every path the two emulators served, to check which API version a run spoke */
const served: string[] = []

beforeAll(async () => {
  const requestLog = (e: {path: string}): void => void served.push(e.path)
  emu = await emulator(await makePortal(), {requestLog})
  small = await emulator(await makePortal({contacts: 12, deals: 5, appointments: 4, divisions: 2, sharedTimestamp: 3, seed: 5}), {requestLog})
})
afterAll(async () => {
  await emu?.stop()
  await small?.stop()
})

// the whole suite on both API versions (issue 13 item 4): the dated paths (default) and the numeric fallback
describe.each(API_VERSIONS)('sync all against the emulator, --api-version %s', (version) => {
  it('requests every object, association and property path in that version', async () => {
    served.length = 0
    const r = await runCli(['sync', 'all', '--db', join(tempDir(), 'store.db'), '--base-url', emu.url, '--api-version', version, '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const crm = served.filter((p) => /^\/crm\/(v3\/objects|v4\/associations|v3\/properties|objects|associations|properties)\//.test(p))
    expect(crm.length).toBeGreaterThan(10)
    const numeric = crm.filter((p) => /^\/crm\/v[34]\//.test(p))
    expect(version === 'v3' ? numeric.length : crm.length - numeric.length).toBe(crm.length)
  })

  for (const [batch, which] of [
    [100, 'default'],
    [7, 'default'],
    [1, 'small'],
  ] as const) {
    it(`--batch-size ${batch}: the store equals the portal's records (archived as tombstones) and associations`, async () => {
      const target = which === 'small' ? small : emu
      const db = join(tempDir(), 'store.db')
      const r = await runCli(['sync', 'all', '--batch-size', String(batch), '--db', db, '--base-url', target.url, '--api-version', version, '--json'], {})
      expect(r.code, r.stderr).toBe(0)
      const summary = jsonOf<{status: string; streams: Array<{stream: string; deadLetters: number}>; peakRssMb: number}>(r)
      expect(summary.status).toBe('ok')
      expect(summary.streams.map((s) => s.stream)).toEqual(['contacts', 'deals', 'appointments', 'divisions', 'associations'])
      expect(summary.peakRssMb).toBeGreaterThan(0)
      const got = storePicture(db)
      const want = emulatorPicture(target)
      expect(want.records.contacts.some((l) => l.includes('"archived":true'))).toBe(true)
      for (const e of Object.keys(want.records)) expect(got.records[e], e).toEqual(want.records[e])
      expect(got.associations.length).toBeGreaterThan(0)
      expect(got.associations).toEqual(want.associations)
    })
  }
})
