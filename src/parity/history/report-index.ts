/**
 * The report index: `<out>/index.json`, one entry per report folder (run id, time, inputs, verdict,
 * per-root-cause counts, the SHA-256 of report.json). Written atomically (temp file + rename), so a
 * kill -9 leaves the old index or the new one, never half of one; a report folder on disk that the
 * index lacks (the writer died between the folder's rename and the index's) is indexed by the next
 * `syncIndex` (every `parity diff`/`run`, `parity history` and `parity gate` calls it).
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readdir, readFile} from 'node:fs/promises'
import {basename, join} from 'node:path'
import {writeFileAtomic} from '../../reports/atomic-write.js'
import type {ParityReport} from '../../reports/report-types.js'

export const INDEX_FILE = 'index.json'

/** One indexed report. */
export interface IndexEntry {
  runId: string
  createdAt: string
  /** the report folder's name under the report root */
  dir: string
  /** SHA-256 (hex) of report.json when it was indexed */
  sha256: string
  inputs: {legacy: string; mapping: string; store?: string; portal?: string; source: 'portal' | 'live' | 'none'}
  ready: boolean
  /** the verdict checks that failed, e.g. `unexplained_mismatch_rate:deals (0.1 > 0.05)` */
  failedChecks: string[]
  /** differences attributed `new_regression` */
  newRegressions: number
  /** ledger rules of the report with their expiry dates */
  ledger: Array<{id: string; expires: string; expired: boolean}>
  rootCauses: Array<{id: string; entity: string; kind: string; count: number; attribution: string}>
}

export interface ReportIndex {
  version: 1
  reports: IndexEntry[]
}

/** The index entry of a report whose report.json text is `text`. */
export function entryOf(report: ParityReport, dir: string, text: string): IndexEntry {
  const adjudicated = report.inputs.adjudication !== undefined
  return {
    runId: report.runId,
    createdAt: report.createdAt,
    dir,
    sha256: sha256(text),
    inputs: {
      legacy: report.inputs.legacy,
      mapping: report.inputs.mapping,
      ...(report.inputs.store !== undefined ? {store: report.inputs.store} : {}),
      ...(report.inputs.portal !== undefined ? {portal: report.inputs.portal} : {}),
      source: adjudicated ? 'live' : report.inputs.portal !== undefined ? 'portal' : 'none',
    },
    ready: report.verdict.ready,
    failedChecks: report.verdict.reasons.filter((r) => !r.ok).map((r) => `${r.check} (${r.actual} > ${r.threshold})`),
    newRegressions: report.totals.attribution.new_regression ?? 0,
    ledger: report.ledger.map((r) => ({id: r.id, expires: r.expires, expired: r.expired})),
    rootCauses: (report.rootCauses ?? []).map((c) => ({id: c.id, entity: c.entity, kind: c.kind, count: c.count, attribution: c.attribution})),
  }
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex')
}

async function readIndex(out: string): Promise<ReportIndex> {
  try {
    const parsed = JSON.parse(await readFile(join(out, INDEX_FILE), 'utf8')) as ReportIndex
    if (parsed && parsed.version === 1 && Array.isArray(parsed.reports)) return parsed
  } catch {
    // missing or unreadable: rebuilt from the report folders below
  }
  return {version: 1, reports: []}
}

/** Read one report folder's report.json; undefined when it is not a (complete) report folder. */
async function readEntry(out: string, dir: string): Promise<IndexEntry | undefined> {
  const file = join(out, dir, 'report.json')
  if (!existsSync(file)) return undefined
  try {
    const text = await readFile(file, 'utf8')
    const report = JSON.parse(text) as ParityReport
    if (typeof report.runId !== 'string' || typeof report.createdAt !== 'string' || !report.verdict || !report.totals) return undefined
    return entryOf(report, dir, text)
  } catch {
    return undefined
  }
}

const byTime = (a: IndexEntry, b: IndexEntry): number => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0)

/**
 * Bring `<out>/index.json` in line with the report folders: add folders it lacks, drop entries whose
 * folder is gone, re-read `refresh` (folder names whose report.json was just (re)written). Hidden
 * folders (a report being written) are skipped. Writes the index only when it changed.
 */
export async function syncIndex(out: string, refresh: string[] = []): Promise<ReportIndex> {
  if (!existsSync(out)) return {version: 1, reports: []}
  const index = await readIndex(out)
  const names = (await readdir(out, {withFileTypes: true})).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name)
  const onDisk = new Set(names)
  const again = new Set(refresh.map((d) => basename(d)))
  const kept = new Map<string, IndexEntry>()
  let changed = false
  for (const e of index.reports) {
    if (!onDisk.has(e.dir) || again.has(e.dir)) changed = true
    else kept.set(e.dir, e)
  }
  for (const name of names) {
    if (kept.has(name)) continue
    const entry = await readEntry(out, name)
    if (entry) {
      kept.set(name, entry)
      changed = true
    }
  }
  const next: ReportIndex = {version: 1, reports: [...kept.values()].sort(byTime)}
  if (changed || !existsSync(join(out, INDEX_FILE))) await writeFileAtomic(join(out, INDEX_FILE), `${JSON.stringify(next, null, 2)}\n`)
  return next
}
