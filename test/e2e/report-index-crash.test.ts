/**
 * The report index survives kill -9 during a report write: a child writes report folders and the
 * index in a loop (as `parity diff` ends) and is killed at arbitrary moments; after each kill
 * index.json parses and names only complete folders, and after the next run (syncIndex, which every
 * diff, history and gate performs) every report folder on disk is in the index.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {syncIndex} from '../../src/parity/history/report-index.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {ROOT} from '../helpers/cli.js'

let dir: string
let template: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-index-crash-'))
  const source = new SyntheticSource({contacts: 40, deals: 20, appointments: 10, divisions: 3, seed: 2})
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy.json'), format: 'json'}, store: join(dir, 'store.db'), snapshotAt: '2025-10-01T00:00:00Z', inject: {contacts: {legacy: {email: 2}}}})
  const {dir: first} = await runParityDiff({
    legacy: join(dir, 'legacy.json'),
    mapping: 'fixtures/mappings/legacy-django.json',
    db: join(dir, 'store.db'),
    source,
    out: join(dir, 'seed'),
    render: false,
  })
  template = join(first, 'report.json')
}, 60_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** Run the writer until it has written `atLeast` dots (reports), then wait `extraMs` more and kill -9 it. */
function writeThenKill(out: string, atLeast: number, extraMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/helpers/report-writer.mjs'), template, out], {stdio: ['ignore', 'pipe', 'inherit']})
    let dots = 0
    let armed = false
    child.stdout.on('data', (b: Buffer) => {
      dots += b.length
      if (!armed && dots >= atLeast) {
        armed = true
        setTimeout(() => child.kill('SIGKILL'), extraMs)
      }
    })
    child.on('error', fail)
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? done() : fail(new Error(`writer ended with ${code ?? signal} before the kill`))))
  })
}

const reportFolders = (out: string): string[] =>
  readdirSync(out, {withFileTypes: true})
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && existsSync(join(out, d.name, 'report.json')))
    .map((d) => d.name)
    .sort()

describe('report index under kill -9', () => {
  it('no torn index and no report missing from it after the next run', async () => {
    const out = join(dir, 'reports')
    const kills = 10
    let repaired = 0
    for (let k = 0; k < kills; k++) {
      await writeThenKill(out, 1 + (k % 3), (k * 7) % 23)
      // right after the kill: the index is whole JSON and names only folders that are complete
      const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as {reports: Array<{dir: string}>}
      for (const e of index.reports) expect(existsSync(join(out, e.dir, 'report.json'))).toBe(true)
      if (index.reports.length < reportFolders(out).length) repaired++
      // the next run repairs what the killed one did not index
      const after = await syncIndex(out)
      expect(after.reports.map((e) => e.dir).sort()).toEqual(reportFolders(out))
    }
    const total = reportFolders(out).length
    expect(total).toBeGreaterThanOrEqual(kills)
    console.log(`${kills} kills, ${total} report folders, ${repaired} kill(s) landed between a folder's rename and the index write; all indexed after the next run`)
  }, 120_000)

  it('a folder written but never indexed (death before the index write) and an unreadable index are both repaired', async () => {
    const out = join(dir, 'repair')
    const {writeReportDir} = await import('../../src/parity/report-output.js')
    const report = JSON.parse(readFileSync(template, 'utf8')) as Parameters<typeof writeReportDir>[1]
    const a = await writeReportDir(out, {...report, runId: 'run-a', createdAt: '2026-01-01T00:00:00.000Z'})
    expect((await syncIndex(out)).reports.map((e) => e.dir)).toEqual(['run-a'])
    await writeReportDir(out, {...report, runId: 'run-b', createdAt: '2026-01-02T00:00:00.000Z'}) // killed before syncIndex
    writeFileSync(join(out, '.run-c.tmp'), '') // a half-written folder's temp name is never indexed
    expect((await syncIndex(out)).reports.map((e) => e.dir)).toEqual(['run-a', 'run-b'])
    writeFileSync(join(out, 'index.json'), '{"version": 1, "reports": [{"runId": "run-a"') // torn by a non-atomic writer
    const rebuilt = await syncIndex(out)
    expect(rebuilt.reports.map((e) => e.dir)).toEqual(['run-a', 'run-b'])
    expect(JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')).reports).toHaveLength(2)
    expect(a).toBe(join(out, 'run-a'))
  })
})
