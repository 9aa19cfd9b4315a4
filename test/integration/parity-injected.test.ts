import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy, type SimulationResult} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-it-'))
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** The report's figures in the simulator's shape, so one toEqual compares every count and attribution. */
function observed(report: ParityReport): SimulationResult['entities'] {
  const out: SimulationResult['entities'] = {}
  for (const e of report.entities) {
    const {legacyRows: _l, newRows: _n, ...counts} = e.counts
    out[e.entity] = {
      counts,
      fields: Object.fromEntries(
        e.fields.filter((f) => f.mismatched + f.noise + f.explained > 0).map((f) => [f.field, {mismatched: f.mismatched, noise: f.noise, explained: f.explained, attribution: f.attribution}]),
      ),
      relations: Object.fromEntries(
        e.relations.filter((r) => r.missingEdges + r.extraEdges > 0).map((r) => [r.relation, {missingEdges: r.missingEdges, extraEdges: r.extraEdges, attribution: r.attribution}]),
      ),
      records: {attribution: e.records?.attribution ?? {}, explained: e.records?.explained ?? 0},
    }
  }
  return out
}

describe('parity diff on simulated legacy snapshots', () => {
  const source = new SyntheticSource({contacts: 240, deals: 120, appointments: 90, divisions: 6, archivedEvery: 17, seed: 7})
  const snapshotAt = '2025-10-01T00:00:00Z'

  it('documented behaviours only: zero unexplained differences, every ledger count exact, READY', async () => {
    const sim = await simulateLegacy({source, legacy: {path: join(dir, 'clean.json'), format: 'json'}, store: join(dir, 'clean.db'), snapshotAt})
    const {report} = await runParityDiff({legacy: join(dir, 'clean.json'), mapping: MAPPING, db: join(dir, 'clean.db'), source, out: join(dir, 'reports'), render: false})
    expect(report.totals.fieldMismatches).toBe(0)
    expect(report.totals.attribution).toEqual({})
    expect(observed(report)).toEqual(sim.entities)
    expect(Object.fromEntries(report.ledger.map((r) => [r.id, r.absorbed]))).toEqual(sim.ledger)
    expect(sim.ledger['legacy-empty-strings']).toBeGreaterThan(0)
    expect(sim.ledger['archived-removed']).toBeGreaterThan(0)
    expect(report.verdict.ready).toBe(true)
  })

  it('injected differences of every kind: counts per class, field, relation and attribution equal the injected ones', async () => {
    const sim = await simulateLegacy({
      source,
      legacy: {path: join(dir, 'inj.json'), format: 'json'},
      baseline: {path: join(dir, 'inj-baseline.jsonl'), format: 'jsonl'},
      store: join(dir, 'inj.db'),
      snapshotAt,
      seed: 3,
      truncatePhone: 20, // an undocumented legacy defect
      inject: {
        contacts: {
          legacy: {email: 3, phone: 2, hs_updated_at: 1},
          new: {first_name: 2, lifecycle_stage: 1},
          both: {last_name: 2},
          changedAtSource: {email: 2},
          noise: {phone: 2},
          missingInNew: 2,
          missingInLegacy: 3,
          duplicateKeys: 1,
        },
        deals: {legacy: {amount: 2, close_date: 1, stage: 2}, new: {amount: 1}, edgesDropped: {contacts: 3}, edgesAdded: {contacts: 2}, missingInLegacy: 1},
        appointments: {legacy: {starts_at: 1}, both: {status: 1}},
        divisions: {legacy: {is_active: 1}},
      },
    })
    const {report} = await runParityDiff({
      legacy: join(dir, 'inj.json'),
      noiseBaseline: join(dir, 'inj-baseline.jsonl'),
      mapping: MAPPING,
      db: join(dir, 'inj.db'),
      source,
      out: join(dir, 'reports'),
      render: false,
    })
    // the simulator's expectations are the injected ones (not something it read back from the differ)
    expect(sim.entities.contacts.fields.email).toMatchObject({mismatched: 5, attribution: {legacy_defect: 3, changed_at_source: 2}})
    expect(sim.entities.contacts.fields.last_name.attribution).toEqual({both_wrong: 2})
    expect(sim.entities.contacts.fields.phone.noise).toBe(2)
    expect(sim.entities.contacts.fields.phone.mismatched).toBeGreaterThan(2) // 2 injected + every long phone cut to 20
    expect(sim.entities.contacts.counts).toMatchObject({missing_in_new: 2, duplicate_key: 1})
    expect(sim.entities.deals.relations['deals.contacts']).toEqual({missingEdges: 3, extraEdges: 2, attribution: {legacy_defect: 5}})
    expect(observed(report)).toEqual(sim.entities)
    expect(Object.fromEntries(report.ledger.map((r) => [r.id, r.absorbed]))).toEqual(sim.ledger)
    expect(report.totals.attribution.new_regression).toBe(2 + 1 + 1 + 2)
    expect(report.verdict.ready).toBe(false)
    expect(report.verdict.reasons.find((r) => r.check === 'new_regressions')?.ok).toBe(false)
    expect(report.inputs.legacySnapshotAt).toBe('2025-10-01T00:00:00.000Z')
    const email = report.entities.find((e) => e.entity === 'contacts')!.fields.find((f) => f.field === 'email')!
    expect(email.samples.length).toBe(5)
    expect(email.samples.every((s) => s.source !== undefined)).toBe(true)
  })
})
