import {createHash} from 'node:crypto'
/**
 * The offline demo (`npm run demo` = `crmsync parity run --config fixtures/demo/parity.config.json`)
 * as a child process: crmsync really syncs the bundled portal through the emulator, and the report
 * must show exactly the figures the legacy simulator recorded in fixtures/demo/expected.json.
 */
import {execFile} from 'node:child_process'

import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {DemoExpected} from '../../src/parity/demo-fixtures.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import {assertBuilt} from '../helpers/cli.js'

const ROOT = resolve(import.meta.dirname, '../..')
const DEMO = join(ROOT, 'fixtures/demo')

describe('offline demo', () => {
  let dir: string
  let result: {code: number; stdout: string; stderr: string}
  let report: ParityReport
  let expected: DemoExpected
  beforeAll(async () => {
    assertBuilt('dist/commands/parity/run.js')
    dir = await mkdtemp(join(tmpdir(), 'crmsync-demo-'))
    // the bundled config, with reports written to a temp folder instead of ./reports
    const cfg = JSON.parse(await readFile(join(DEMO, 'parity.config.json'), 'utf8')) as Record<string, string>
    const abs = (p: string): string => resolve(DEMO, p)
    await writeFile(join(dir, 'parity.config.json'), JSON.stringify({...cfg, portal: abs(cfg.portal), mapping: abs(cfg.mapping), legacy: abs(cfg.legacy), out: join(dir, 'reports')}))
    expected = JSON.parse(await readFile(join(DEMO, 'expected.json'), 'utf8')) as DemoExpected
    result = await new Promise((res) => {
      execFile(process.execPath, [join(ROOT, 'bin/run.js'), 'parity', 'run', '--config', join(dir, 'parity.config.json')], {cwd: ROOT, maxBuffer: 16 * 1024 * 1024}, (err, stdout, stderr) => {
        res({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr})
      })
    })
    const entries = await readdir(join(dir, 'reports'))
    expect(entries).toContain('index.json') // the report index (docs/parity.md#history-and-the-gate)
    const runs = entries.filter((e) => e !== 'index.json')
    expect(runs).toHaveLength(1)
    report = JSON.parse(await readFile(join(dir, 'reports', runs[0], 'report.json'), 'utf8')) as ParityReport
    // parity run rewrites report.json after the diff and indexes it again: the index holds the final file's hash
    const index = JSON.parse(await readFile(join(dir, 'reports', 'index.json'), 'utf8')) as {reports: Array<{runId: string; sha256: string}>}
    expect(index.reports.map((e) => e.runId)).toEqual([report.runId])
    expect(index.reports[0].sha256).toBe(
      createHash('sha256')
        .update(await readFile(join(dir, 'reports', runs[0], 'report.json')))
        .digest('hex'),
    )
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('is NOT READY (exit 1) because of legacy defects, with no crmsync regression', () => {
    expect(result.code, result.stderr).toBe(1)
    expect(report.verdict.ready).toBe(false)
    expect(report.verdict.reasons.find((r) => r.check === 'new_regressions')).toMatchObject({ok: true, actual: 0})
    expect(report.totals.attribution.new_regression ?? 0).toBe(0)
    expect(report.totals.attribution.legacy_defect).toBeGreaterThan(0)
    expect(result.stdout).toContain('Parity verdict: NOT READY')
    expect(result.stdout).toMatch(/Report: .*report\.html/)
    expect(result.stderr).toContain('parity run: crmsync synced in')
  })

  it('shows exactly the counts, field and relation differences, attributions and ledger usage the simulator injected', () => {
    const sim = expected.simulation
    expect(report.entities.map((e) => e.entity).sort()).toEqual(Object.keys(sim.entities).sort())
    for (const e of report.entities) {
      const ex = sim.entities[e.entity]
      const {legacyRows: _l, newRows: _n, ...counts} = e.counts
      expect(counts, e.entity).toEqual(ex.counts)
      const fields = Object.fromEntries(
        e.fields.filter((f) => f.mismatched + f.noise + f.explained > 0).map((f) => [f.field, {mismatched: f.mismatched, noise: f.noise, explained: f.explained, attribution: f.attribution}]),
      )
      expect(fields, e.entity).toEqual(ex.fields)
      const relations = Object.fromEntries(
        e.relations.filter((r) => r.missingEdges + r.extraEdges > 0).map((r) => [r.relation, {missingEdges: r.missingEdges, extraEdges: r.extraEdges, attribution: r.attribution}]),
      )
      expect(relations, e.entity).toEqual(ex.relations)
      expect({attribution: e.records?.attribution ?? {}, explained: e.records?.explained ?? 0}, e.entity).toEqual(ex.records)
    }
    expect(report.entities.reduce((s, e) => s + e.counts.legacyRows, 0)).toBe(sim.legacyRows)
    expect(Object.fromEntries(report.ledger.map((l) => [l.id, l.absorbed]))).toEqual(sim.ledger)
    expect(report.inputs.legacySnapshotAt).toBe(new Date(expected.snapshotAt).toISOString())
  })

  it('syncs every live and archived portal record into the store and times it', () => {
    const p = expected.portal
    const newRows = Object.fromEntries(report.entities.map((e) => [e.entity, e.counts.newRows]))
    expect(newRows).toEqual({contacts: p.contacts, deals: p.deals, appointments: p.appointments, divisions: p.divisions})
    expect(report.performance?.crmsyncSeconds).toBeGreaterThan(0)
    expect(report.performance?.crmsyncRequests).toBeGreaterThan(0)
  })

  it('writes the Markdown and HTML renderings beside report.json', async () => {
    const runDir = join(dir, 'reports', report.runId)
    expect((await readdir(runDir)).sort()).toEqual(['report.html', 'report.json', 'report.md'])
    const html = await readFile(join(runDir, 'report.html'), 'utf8')
    expect(html).toContain('NOT READY')
    expect(html).toContain('data-label="contacts"')
  })
})
