/** `crmsync report render` as a child process: re-renders a saved report, exit 2 on bad input. */
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertBuilt, crmsync as run} from '../helpers/cli.js'
import {sampleReport} from '../unit/report-fixture.js'

const crmsync = (args: string[]) => run(args)

describe('crmsync report render', () => {
  let root: string
  beforeAll(async () => {
    assertBuilt('dist/commands/report/render.js')
    root = await mkdtemp(join(tmpdir(), 'crmsync-render-'))
  })
  afterAll(async () => {
    await rm(root, {recursive: true, force: true})
  })

  it('re-renders report.md and report.html and prints the terminal summary', async () => {
    const dir = join(root, 'ok')
    await mkdir(dir)
    await writeFile(join(dir, 'report.json'), JSON.stringify(sampleReport()))
    const r = await crmsync(['report', 'render', dir])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Parity verdict: NOT READY')
    expect(r.stdout).toMatch(/│ contacts\s+│ 196/)
    expect(r.stderr).toContain(`wrote ${join(dir, 'report.html')}`)
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json', 'report.md'])
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toContain('**Verdict: NOT READY**')
  })

  it('--json prints a typed result', async () => {
    const dir = join(root, 'json')
    await mkdir(dir)
    await writeFile(join(dir, 'report.json'), JSON.stringify({...sampleReport(), verdict: {ready: true, reasons: []}}))
    const r = await crmsync(['report', 'render', dir, '--format', 'html', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {ready: boolean; runId: string; files: string[]}
    expect(out).toMatchObject({ready: true, runId: 'run-test-001', files: [join(dir, 'report.html')]})
    expect(await readdir(dir)).not.toContain('report.md')
  })

  it('exits 2 naming the fix for a missing folder, corrupt JSON, a wrong schemaVersion and a bad format', async () => {
    const missing = await crmsync(['report', 'render', join(root, 'does-not-exist')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/does not exist/)
    expect(missing.stderr).toMatch(/Pass the folder holding report\.json/)

    const corrupt = join(root, 'corrupt')
    await mkdir(corrupt)
    await writeFile(join(corrupt, 'report.json'), '{"schemaVersion":1,')
    const c = await crmsync(['report', 'render', corrupt])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/not valid JSON/)
    expect(await readdir(corrupt)).toEqual(['report.json'])

    const v2 = join(root, 'v2')
    await mkdir(v2)
    await writeFile(join(v2, 'report.json'), JSON.stringify({...sampleReport(), schemaVersion: 99}))
    const v = await crmsync(['report', 'render', v2, '--json'])
    expect(v.code).toBe(2)
    expect(JSON.parse(v.stdout)).toMatchObject({error: {code: 'REPORT_VERSION', exit: 2}})

    const f = await crmsync(['report', 'render', v2, '--format', 'pdf'])
    expect(f.code).toBe(2)
    expect(f.stderr).toMatch(/Unknown report format "pdf"/)
  })
})
