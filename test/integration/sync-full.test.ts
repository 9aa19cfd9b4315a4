import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {emulator, emulatorPicture, jsonOf, makePortal, runCli, storePicture, tempDir} from '../conformance/sync-harness.js'

let emu: RunningEmulator
let small: RunningEmulator

beforeAll(async () => {
  emu = await emulator(await makePortal())
  small = await emulator(await makePortal({contacts: 12, deals: 5, appointments: 4, divisions: 2, sharedTimestamp: 3, seed: 5}))
})
afterAll(async () => {
  await emu?.stop()
  await small?.stop()
})

describe('sync all against the emulator', () => {
  for (const [batch, which] of [
    [100, 'default'],
    [7, 'default'],
    [1, 'small'],
  ] as const) {
    it(`--batch-size ${batch}: the store equals the portal's records (archived as tombstones) and associations`, async () => {
      const target = which === 'small' ? small : emu
      const db = join(tempDir(), 'store.db')
      const r = await runCli(['sync', 'all', '--batch-size', String(batch), '--db', db, '--base-url', target.url, '--json'], {})
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
