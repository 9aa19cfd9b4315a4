import {mkdtemp, readdir, readFile, rm, writeFile, mkdir, chmod} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {parseFormats, renderAll, renderReportDir} from '../../src/reports/render-all.js'
import {readReportDir, validateReport} from '../../src/reports/validate.js'
import {sampleReport} from './report-fixture.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'crmsync-report-'))
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

function usage(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError)
    return err as UsageError
  }
  throw new Error('expected a UsageError')
}

describe('validateReport', () => {
  it('accepts a complete v1 report', () => {
    expect(validateReport(sampleReport()).runId).toBe('run-test-001')
  })
  it('rejects an unsupported schemaVersion with the fix', () => {
    const e = usage(() => validateReport({...sampleReport(), schemaVersion: 3}))
    expect(e.message).toContain('schemaVersion 3')
    expect(e.options.suggestion).toMatch(/crmsync version that wrote it/)
    expect(e.exitCode).toBe(2)
  })
  it('rejects a non-report and a missing schemaVersion', () => {
    expect(usage(() => validateReport([])).message).toContain('expected a JSON object')
    expect(usage(() => validateReport({runId: 'x'})).message).toContain('no schemaVersion')
  })
  it('names the path of a missing or wrong key', () => {
    const r = sampleReport() as unknown as {entities: Array<{counts: Record<string, unknown>}>; verdict?: unknown}
    delete r.entities[1].counts.identical
    delete r.verdict
    const e = usage(() => validateReport(r))
    expect(e.message).toContain('entities.1.counts.identical')
    expect(e.message).toContain('verdict')
  })
})

describe('readReportDir / renderReportDir', () => {
  it('rejects a missing folder, a missing report.json and corrupt JSON with exit 2', async () => {
    await expect(renderReportDir(join(root, 'nope'), ['md'])).rejects.toThrow(/does not exist or is not a folder/)
    const empty = join(root, 'empty')
    await mkdir(empty)
    await expect(readReportDir(empty)).rejects.toThrow(/report\.json does not exist/)
    const bad = join(root, 'bad')
    await mkdir(bad)
    await writeFile(join(bad, 'report.json'), '{"schemaVersion": 1, "runId": ')
    const err = await readReportDir(bad).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).message).toMatch(/not valid JSON/)
    // nothing written beside a corrupt report
    await expect(renderReportDir(bad, ['md', 'html'])).rejects.toThrow(UsageError)
    expect(await readdir(bad)).toEqual(['report.json'])
  })

  it('writes report.md and report.html atomically, with no temp files left', async () => {
    const dir = join(root, 'good')
    await mkdir(dir)
    await writeFile(join(dir, 'report.json'), JSON.stringify(sampleReport()))
    const res = await renderReportDir(dir, ['md', 'html', 'terminal'], {color: false})
    expect(res.files).toEqual([join(dir, 'report.md'), join(dir, 'report.html')])
    expect(res.ready).toBe(false)
    expect(res.terminal).toContain('NOT READY')
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json', 'report.md'])
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('<!doctype html>')
  })

  it('fails clearly on an unwritable folder and leaves no temp file', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path whose parent is a file instead
      const file = join(root, 'a-file')
      await writeFile(file, 'x')
      await expect(renderAll(sampleReport(), join(file, 'sub'))).rejects.toThrow(/Could not write/)
      return
    }
    const dir = join(root, 'ro')
    await mkdir(dir)
    await chmod(dir, 0o500)
    await expect(renderAll(sampleReport(), dir)).rejects.toThrow(/Could not write/)
    expect(await readdir(dir)).toEqual([])
  })
})

describe('parseFormats', () => {
  it('parses, dedupes and rejects unknown formats', () => {
    expect(parseFormats('md, html,md')).toEqual(['md', 'html'])
    expect(() => parseFormats('md,pdf')).toThrow(/Unknown report format "pdf"/)
    expect(() => parseFormats(',')).toThrow(UsageError)
  })
})
