/** Render a parity report into files beside report.json, and re-render a saved report folder. */
import {stat} from 'node:fs/promises'
import {join} from 'node:path'
import {CrmsyncError, UsageError} from '../core/errors.js'
import type {ParityReport} from './report-types.js'
import {writeFileAtomic} from './atomic-write.js'
import {renderHtml} from './html.js'
import {renderMarkdown} from './markdown.js'
import {renderTerminal} from './terminal.js'
import {readReportDir} from './validate.js'

/** Output formats of `crmsync report render`. */
export type ReportFormat = 'md' | 'html' | 'terminal'
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'terminal']

async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'Make the report folder writable, or pass another output folder.' : 'Check the report folder and free disk space, then render again.'
    throw new CrmsyncError(`Could not write ${file}: ${(err as Error).message}`, {exit: code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 2 : 1, suggestion: hint, code: 'REPORT_WRITE'})
  }
}

/**
 * Write report.md and report.html into `dir` (beside report.json), each atomically.
 * Returns the paths written.
 */
export async function renderAll(report: ParityReport, dir: string, formats: readonly ReportFormat[] = ['md', 'html']): Promise<{files: string[]}> {
  const files: string[] = []
  if (formats.includes('md')) {
    const f = join(dir, 'report.md')
    await writeOut(f, renderMarkdown(report))
    files.push(f)
  }
  if (formats.includes('html')) {
    const f = join(dir, 'report.html')
    await writeOut(f, renderHtml(report))
    files.push(f)
  }
  return {files}
}

/** Result of re-rendering a saved report folder. */
export interface RenderDirResult {
  dir: string
  runId: string
  ready: boolean
  files: string[]
  /** the terminal summary when 'terminal' was asked for */
  terminal?: string
}

/** Parse a comma-separated `--format` value; unknown names are a UsageError. */
export function parseFormats(value: string): ReportFormat[] {
  const parts = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
  const bad = parts.filter((p) => !REPORT_FORMATS.includes(p as ReportFormat))
  if (parts.length === 0 || bad.length > 0) {
    throw new UsageError(`Unknown report format ${bad.length > 0 ? bad.map((b) => JSON.stringify(b)).join(', ') : '(none given)'}.`, `Use a comma-separated list of ${REPORT_FORMATS.join(', ')}, e.g. --format md,html.`, 'REPORT_FORMAT')
  }
  return [...new Set(parts as ReportFormat[])]
}

/** Re-render `dir/report.json` into the given formats. Bad folders and corrupt reports throw UsageError. */
export async function renderReportDir(dir: string, formats: readonly ReportFormat[], opts: {color?: boolean} = {}): Promise<RenderDirResult> {
  const st = await stat(dir).catch(() => undefined)
  if (!st?.isDirectory()) {
    throw new UsageError(`Report folder ${dir} does not exist or is not a folder.`, 'Pass the folder holding report.json, e.g. `crmsync report render reports/<run-id>`.', 'REPORT_MISSING')
  }
  const report = await readReportDir(dir)
  const {files} = await renderAll(report, dir, formats)
  const result: RenderDirResult = {dir, runId: report.runId, ready: report.verdict.ready, files}
  if (formats.includes('terminal')) result.terminal = renderTerminal(report, {color: opts.color})
  return result
}
