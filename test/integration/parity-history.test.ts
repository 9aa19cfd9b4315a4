/**
 * Five parity reports over five simulated days (a root cause appears, grows, shrinks as it is being
 * fixed, disappears; one day NOT READY): `parity history` trends and `parity gate` answers for N = 2
 * and N = 4, exactly, in-process and through the CLI.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createHash} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {reportHistory} from '../../src/parity/history/history.js'
import {runGate} from '../../src/parity/history/gate.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {crmsync} from '../helpers/cli.js'

const AMOUNTS = [0, 2, 6, 1, 0] // legacy deals.amount defects per day
let dir: string
let out: string
const now = new Date()
const dayAt = (back: number): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back, 9, 0, 0))
const days = [4, 3, 2, 1, 0].map((b) => dayAt(b).toISOString().slice(0, 10))

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-history-'))
  out = join(dir, 'reports')
  const mapping = JSON.parse(readFileSync('fixtures/mappings/legacy-django.json', 'utf8')) as {verdict: Record<string, unknown>}
  mapping.verdict.maxUnexplainedMismatchRate = 0.05 // 2 or 1 of 60 deals pass, 6 do not
  writeFileSync(join(dir, 'mapping.json'), JSON.stringify(mapping))
  const source = new SyntheticSource({contacts: 80, deals: 60, appointments: 30, divisions: 4, archivedEvery: 17, seed: 5})
  const snapshotAt = '2025-10-01T00:00:00Z'
  for (let i = 0; i < 5; i++) {
    const legacy = join(dir, `legacy-${i}.json`)
    await simulateLegacy({
      source,
      legacy: {path: legacy, format: 'json'},
      store: i === 0 ? join(dir, 'store.db') : undefined,
      snapshotAt,
      seed: 11,
      inject: AMOUNTS[i] > 0 ? {deals: {legacy: {amount: AMOUNTS[i]}}} : {},
    })
    await runParityDiff({legacy, mapping: join(dir, 'mapping.json'), db: join(dir, 'store.db'), source, out, now: dayAt(4 - i), render: false})
  }
}, 120_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('parity history and gate over five days', () => {
  it('indexes every report and gives each root cause its trend', async () => {
    const h = await reportHistory(out)
    expect(h.runs.map((r) => r.day)).toEqual(days)
    expect(h.runs.map((r) => r.ready)).toEqual([true, true, false, true, true])
    const ids = new Set(h.runs.flatMap((r) => r.rootCauses.map((c) => c.id)))
    expect([...ids]).toEqual(['deals.amount'])
    expect(h.runs.map((r) => r.rootCauses.map((c) => [c.count, c.trend]))).toEqual([[], [[2, 'new']], [[6, 'growing']], [[1, 'shrinking']], [[0, 'gone']]])
    expect(h.rootCauses).toEqual([expect.objectContaining({id: 'deals.amount', entity: 'deals', counts: [0, 2, 6, 1, 0], trend: 'gone'})])
    expect(h.entities).toEqual([{entity: 'deals', counts: [0, 2, 6, 1, 0]}])
  })

  it('gate: N = 2 passes with signoff.json, N = 4 fails on the NOT READY day', async () => {
    const two = await runGate(out, 2, now)
    expect(two.passed).toBe(true)
    expect(two.window.map((d) => [d.day, d.ok])).toEqual([
      [days[3], true],
      [days[4], true],
    ])
    const signoff = JSON.parse(readFileSync(join(out, 'signoff.json'), 'utf8')) as {days: number; window: Array<{day: string; reports: Array<{runId: string; dir: string; sha256: string}>}>}
    expect(signoff.days).toBe(2)
    expect(signoff.window.map((d) => d.day)).toEqual(days.slice(3))
    for (const d of signoff.window) {
      expect(d.reports).toHaveLength(1)
      const r = d.reports[0]
      expect(r.sha256).toBe(
        createHash('sha256')
          .update(readFileSync(join(out, r.dir, 'report.json')))
          .digest('hex'),
      )
    }
    rmSync(join(out, 'signoff.json'))
    const four = await runGate(out, 4, now)
    expect(four.passed).toBe(false)
    expect(four.failedDay).toBe(days[2])
    expect(four.window.map((d) => d.ok)).toEqual([true, false, true, true])
    expect(four.window[1].reasons).toEqual([expect.stringMatching(/NOT READY: unexplained_mismatch_rate:deals \(0\.1 > 0\.05\)$/)])
    expect(existsSync(join(out, 'signoff.json'))).toBe(false)
  })

  it('CLI: parity history writes md and html with a trend chart; parity gate exits 0 / 1 naming the failed day', async () => {
    const h = await crmsync(['parity', 'history', '--out', out, '--json'])
    expect(h.code).toBe(0)
    const json = JSON.parse(h.stdout) as {runs: unknown[]; files: string[]}
    expect(json.runs).toHaveLength(5)
    const html = readFileSync(join(out, 'history.html'), 'utf8')
    expect(html).toContain('<svg')
    expect((html.match(/<g class="bar"/g) ?? []).length).toBe(5) // one entity with differences, one bar per run
    expect(readFileSync(join(out, 'history.md'), 'utf8')).toContain('| deals.amount | deals | gone | 0 → 2 → 6 → 1 → 0 |')
    const since = await crmsync(['parity', 'history', '--out', out, '--since', days[3], '--json'])
    expect((JSON.parse(since.stdout) as {runs: unknown[]}).runs).toHaveLength(2)
    const pass = await crmsync(['parity', 'gate', '--days', '2', '--out', out])
    expect(pass.code).toBe(0)
    expect(pass.stdout).toContain('PASSED')
    const fail = await crmsync(['parity', 'gate', '--days', '4', '--out', out])
    expect(fail.code).toBe(1)
    expect(fail.stdout).toContain(`${days[2]}: `)
    expect(fail.stdout).toMatch(/NOT READY/)
    console.log(`gate --days 2: exit ${pass.code}; gate --days 4: exit ${fail.code}\n${fail.stdout.trim()}`)
  }, 60_000)
})
