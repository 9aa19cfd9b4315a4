import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {generatePortal} from '../../src/portal/generator.js'
import {openPortal} from '../../src/portal/snapshot.js'

const dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-gen-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

it('on a portal from the project generator (every awkward case it makes), only the injected differences are reported, attributed right', async () => {
  await generatePortal({out: join(dir, 'portal'), contacts: 300, deals: 100, appointments: 60, divisions: 6, seed: 2026})
  const portal = await openPortal(join(dir, 'portal'))
  const properties = Object.fromEntries(portal.manifest.objects.map((o) => [o.name, o.properties]))
  const sim = await simulateLegacy({
    source: portal,
    properties,
    legacy: {path: join(dir, 'legacy.csv'), format: 'csv'},
    store: join(dir, 'store.db'),
    snapshotAt: portal.manifest.capturedAt,
    inject: {contacts: {legacy: {email: 2}, new: {last_name: 1}, missingInNew: 1}, deals: {edgesDropped: {contacts: 1}}},
  })
  const {report} = await runParityDiff({
    legacy: join(dir, 'legacy.csv'),
    mapping: 'fixtures/mappings/legacy-django.json',
    db: join(dir, 'store.db'),
    portal: join(dir, 'portal'),
    out: join(dir, 'r'),
    render: false,
  })
  for (const e of report.entities) {
    const {legacyRows: _l, newRows: _n, ...counts} = e.counts
    expect(counts, e.entity).toEqual(sim.entities[e.entity].counts)
  }
  expect(report.totals.attribution).toEqual({legacy_defect: 3, new_regression: 2})
  expect(Object.fromEntries(report.ledger.map((r) => [r.id, r.absorbed]))).toEqual(sim.ledger)
})
