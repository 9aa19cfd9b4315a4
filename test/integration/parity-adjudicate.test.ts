/**
 * `parity diff --adjudicate` against the emulator over loopback: the disputed records and their
 * association sets read live give the same attribution as the recorded portal snapshot, with about
 * ceil(disputed / 100) record batch reads; a record changed in the emulator after the legacy
 * snapshot is attributed `changed_at_source`.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {writeSyntheticPortal} from '../../src/parity/synthetic-portal.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import {crmsync} from '../helpers/cli.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const TOKEN = 'pat-adjudicate-test-token-5c1e'
let dir: string
let emu: RunningEmulator
const source = new SyntheticSource({contacts: 400, deals: 160, appointments: 90, divisions: 6, archivedEvery: 17, seed: 7})
const inject = {
  contacts: {legacy: {email: 120, phone: 2}, new: {first_name: 3, lifecycle_stage: 1}, both: {last_name: 2}, changedAtSource: {email: 2}, missingInNew: 2, missingInLegacy: 3},
  deals: {legacy: {amount: 4, stage: 2}, new: {amount: 1}, edgesDropped: {contacts: 3}, edgesAdded: {contacts: 2}, missingInLegacy: 1},
  appointments: {legacy: {starts_at: 1}, both: {status: 1}},
  divisions: {legacy: {is_active: 1}},
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-adjudicate-'))
  await writeSyntheticPortal(source, join(dir, 'portal'), '2025-10-01T00:00:00Z')
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy.json'), format: 'json'}, store: join(dir, 'store.db'), snapshotAt: '2025-10-01T00:00:00Z', seed: 3, inject})
  emu = await startEmulator({portalDir: join(dir, 'portal'), token: TOKEN, rateLimit: 'none'})
}, 120_000)
afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
})

/** Every attribution count of a report: totals, per field, per relation, per record class. */
function attributions(r: ParityReport): Record<string, unknown> {
  const out: Record<string, unknown> = {totals: r.totals.attribution, rootCauses: r.rootCauses?.map((c) => [c.id, c.count, c.attributions])}
  for (const e of r.entities) {
    out[`${e.entity}.records`] = e.records?.attribution
    for (const f of e.fields) out[`${e.entity}.${f.field}`] = f.attribution
    for (const x of e.relations) out[x.relation] = x.attribution
  }
  return out
}

async function adjudicated(out: string): Promise<ParityReport> {
  process.env.HUBSPOT_ACCESS_TOKEN = TOKEN
  try {
    return (await runParityDiff({legacy: join(dir, 'legacy.json'), mapping: MAPPING, db: join(dir, 'store.db'), out: join(dir, out), render: false, adjudicate: {baseUrl: emu.url, rateLimit: 'none'}}))
      .report
  } finally {
    delete process.env.HUBSPOT_ACCESS_TOKEN
  }
}

describe('parity diff --adjudicate', () => {
  let recorded: ParityReport
  let live: ParityReport

  it('gives the same attribution as the recorded portal, reading only the disputed records in ~ceil(disputed/100) batch reads', async () => {
    recorded = (await runParityDiff({legacy: join(dir, 'legacy.json'), mapping: MAPPING, db: join(dir, 'store.db'), portal: join(dir, 'portal'), out: join(dir, 'recorded'), render: false})).report
    const before = emu.stats.byEndpoint.batchRead
    live = await adjudicated('live')
    expect(attributions(live)).toEqual(attributions(recorded))
    expect(live.totals.attribution.new_regression).toBeGreaterThan(0)
    const a = live.inputs.adjudication!
    const disputed = Object.values(a.disputed).reduce((x, y) => x + y, 0)
    const floor = Object.values(a.disputed).reduce((x, n) => x + Math.ceil(n / 100), 0)
    console.log(
      `disputed records ${disputed} (${JSON.stringify(a.disputed)}); record batch reads ${a.requests.objects} (ceil per entity: ${floor}); association batch reads ${a.requests.associations}; total requests ${a.requests.total}`,
    )
    expect(disputed).toBeGreaterThan(100)
    expect(a.requests.objects).toBe(emu.stats.byEndpoint.batchRead - before)
    // live pass per 100 ids, plus one archived pass per entity for the ids the live read lacked
    expect(a.requests.objects).toBeGreaterThanOrEqual(floor)
    expect(a.requests.objects).toBeLessThanOrEqual(floor + Object.keys(a.disputed).length)
    expect(live.inputs.attributionSource).toBe('live')
    expect(live.inputs.attributionNote).toContain(`read live from the portal at ${a.readAt}`)
    expect(recorded.inputs.attributionSource).toBe('portal')
  }, 120_000)

  it('without --portal and --adjudicate the report says nothing was attributed', async () => {
    const {report} = await runParityDiff({legacy: join(dir, 'legacy.json'), mapping: MAPPING, db: join(dir, 'store.db'), out: join(dir, 'none'), render: false})
    expect(report.inputs.attributionSource).toBe('none')
    expect(report.inputs.attributionNote).toMatch(/^Nothing was attributed/)
    expect(Object.keys(report.totals.attribution)).toEqual(['unattributed'])
  }, 60_000)

  it('a record changed in the emulator after the legacy snapshot is attributed changed_at_source', async () => {
    const deals = live.entities.find((e) => e.entity === 'deals')!
    const amount = deals.fields.find((f) => f.field === 'amount')!
    const sample = amount.samples.find((s) => s.attribution === 'legacy_defect' || s.attribution === 'new_regression')!
    expect(sample).toBeDefined()
    emu.mutate({kind: 'update', entity: 'deals', id: sample.key, properties: {dealname: 'renamed after the snapshot'}})
    const after = await adjudicated('live-after')
    const amountAfter = after.entities.find((e) => e.entity === 'deals')!.fields.find((f) => f.field === 'amount')!
    expect(amountAfter.samples.find((s) => s.key === sample.key)?.attribution).toBe('changed_at_source')
    expect(amountAfter.attribution.changed_at_source ?? 0).toBe((amount.attribution.changed_at_source ?? 0) + 1)
    expect(amountAfter.attribution[sample.attribution!]).toBe((amount.attribution[sample.attribution!] ?? 0) - 1)
  }, 60_000)

  it('CLI: --adjudicate --base-url reads live (the token never printed nor written); without a token, or with --portal, exit 2', async () => {
    const args = ['parity', 'diff', '--legacy', join(dir, 'legacy.json'), '--mapping', MAPPING, '--db', join(dir, 'store.db'), '--adjudicate', '--base-url', emu.url, '--rate-limit', 'none']
    const out = join(dir, 'cli')
    const ok = await crmsync([...args, '--out', out, '--json'], {env: {HUBSPOT_ACCESS_TOKEN: TOKEN, CRMSYNC_CONFIG: undefined, HOME: dir}})
    expect(ok.code).toBe(1) // NOT READY: the injected new regressions
    const runDir = readdirSync(out).find((n) => !n.startsWith('.') && n !== 'index.json')!
    const text = readFileSync(join(out, runDir, 'report.json'), 'utf8')
    expect((JSON.parse(text) as ParityReport).inputs.attributionSource).toBe('live')
    for (const t of [ok.stdout, ok.stderr, text, readFileSync(join(out, runDir, 'report.html'), 'utf8')]) expect(t).not.toContain(TOKEN)
    const noToken = await crmsync([...args, '--out', join(dir, 'cli-none')], {env: {HUBSPOT_ACCESS_TOKEN: undefined, CRMSYNC_CONFIG: undefined, HOME: dir}})
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toMatch(/HUBSPOT_ACCESS_TOKEN/)
    const both = await crmsync([...args, '--portal', join(dir, 'portal'), '--out', join(dir, 'cli-both')], {env: {HUBSPOT_ACCESS_TOKEN: TOKEN}})
    expect(both.code).toBe(2)
  }, 60_000)
})
