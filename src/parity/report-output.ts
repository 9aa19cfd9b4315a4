/**
 * Writing a report folder so that nothing half-written ever looks complete: everything goes into a
 * hidden temp folder beside the target, which is renamed to `<out>/<run-id>` only when complete.
 */
import {randomBytes} from 'node:crypto'
import {accessSync, constants, existsSync, mkdirSync, rmSync, statSync} from 'node:fs'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError} from '../core/errors.js'
import {cleanupOnInterrupt, sweepStale} from '../core/temp-cleanup.js'
import type {ParityReport} from '../reports/report-types.js'

/** Fail early (exit 2) when the output folder cannot be created or written. */
export function assertWritableOut(out: string): void {
  try {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new Error('it is not a folder')
    mkdirSync(out, {recursive: true})
    accessSync(out, constants.W_OK)
  } catch (e) {
    throw new UsageError(`cannot write reports to ${out}: ${(e as Error).message}`, 'pass a writable folder with --out (default: reports)', 'OUT_NOT_WRITABLE')
  }
}

/** A run id: UTC timestamp plus a short random suffix, safe as a folder name. */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z')}-${randomBytes(2).toString('hex')}`
}

/** Half-written report folders: `.<run-id>.<pid>-<hex>.tmp` inside the report root. */
const REPORT_TEMP = /^\..+\.(\d+)-[0-9a-f]{6}\.tmp$/

/** Write report.json (and whatever `render` adds) into `<out>/<runId>` atomically; returns that folder. */
export async function writeReportDir(out: string, report: ParityReport, render?: (report: ParityReport, dir: string) => Promise<unknown>): Promise<string> {
  const final = join(out, report.runId)
  sweepStale(out, REPORT_TEMP)
  const tmp = join(out, `.${report.runId}.${process.pid}-${randomBytes(3).toString('hex')}.tmp`)
  const undo = cleanupOnInterrupt(() => rmSync(tmp, {recursive: true, force: true}))
  try {
    await mkdir(tmp, {recursive: true})
    await writeFile(join(tmp, 'report.json'), `${JSON.stringify(report, null, 2)}\n`, 'utf8')
    if (render) await render(report, tmp)
    await rename(tmp, final)
  } catch (e) {
    await rm(tmp, {recursive: true, force: true}).catch(() => undefined)
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new UsageError(`cannot write the report to ${final}: ${(e as Error).message}`, 'pass a writable folder with --out', 'OUT_NOT_WRITABLE')
    throw e
  } finally {
    undo()
  }
  return final
}
