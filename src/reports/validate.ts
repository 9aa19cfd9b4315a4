/**
 * Validation of a report.json read from disk before any renderer touches it: schemaVersion first
 * (a clear "unsupported version" message), then every required key with its path.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {z} from 'zod'
import {UsageError} from '../core/errors.js'
import type {ParityReport} from './report-types.js'

const count = z.number().finite().min(0)
const rate = z.number().min(0).max(1)
const attribution = z.record(z.string(), count)
const sample = z.object({key: z.string(), field: z.string().optional()}).loose()

const fieldStats = z
  .object({
    field: z.string(),
    property: z.string(),
    compared: count,
    mismatched: count,
    explained: count,
    noise: count,
    attribution,
    samples: z.array(sample),
  })
  .loose()

const relationStats = z
  .object({
    relation: z.string(),
    association: z.string(),
    kind: z.enum(['fk', 'm2m']),
    recordsCompared: count,
    recordsMismatched: count,
    missingEdges: count,
    extraEdges: count,
    explained: count,
    noise: count.optional(),
    attribution,
    samples: z.array(sample),
  })
  .loose()

const entity = z
  .object({
    entity: z.string(),
    legacyModel: z.string(),
    counts: z
      .object({
        identical: count,
        modified: count,
        missing_in_new: count,
        missing_in_legacy: count,
        duplicate_key: count,
        legacyRows: count,
        newRows: count,
      })
      .loose(),
    explainedRecords: count,
    matchRate: rate,
    unexplainedMismatchRate: rate,
    fields: z.array(fieldStats),
    relations: z.array(relationStats),
    samples: z.record(z.string(), z.array(sample)),
    records: z.object({attribution, explained: count}).loose().optional(),
  })
  .loose()

const reportSchema = z
  .object({
    schemaVersion: z.union([z.literal(1), z.literal(2)]),
    runId: z.string(),
    createdAt: z.string(),
    tool: z.object({name: z.string(), version: z.string()}).loose(),
    inputs: z.object({legacy: z.string(), mapping: z.string()}).loose(),
    verdict: z
      .object({
        ready: z.boolean(),
        reasons: z.array(
          z.object({check: z.string(), ok: z.boolean(), actual: z.union([z.number(), z.string()]), threshold: z.union([z.number(), z.string()]), message: z.string()}).loose(),
        ),
      })
      .loose(),
    totals: z
      .object({
        keysCompared: count,
        identical: count,
        modified: count,
        missingInNew: count,
        missingInLegacy: count,
        duplicateKeys: count,
        fieldMismatches: count,
        explained: count,
        noise: count,
        attribution,
      })
      .loose(),
    entities: z.array(entity),
    ledger: z.array(
      z.object({id: z.string(), rule: z.string(), reason: z.string(), owner: z.string(), expires: z.string(), expired: z.boolean(), absorbed: count}).loose(),
    ),
    performance: z
      .object({crmsyncSeconds: count.optional(), legacySeconds: count.optional(), ratio: count.optional(), crmsyncRequests: count.optional()})
      .loose()
      .optional(),
    errors: z.array(z.object({entity: z.string().optional(), message: z.string()}).loose()),
  })
  .loose()

/** Supported report.json schema versions. */
export const SUPPORTED_SCHEMA_VERSIONS = [1, 2] as const

/**
 * Check that `data` is a report.json of a supported schema version with every required key.
 * Throws UsageError (exit 2) naming the first problems and the fix; `source` names the file.
 */
export function validateReport(data: unknown, source = 'report.json'): ParityReport {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`${source} is not a crmsync parity report: expected a JSON object.`, 'Point at the folder written by `crmsync parity diff` or `crmsync parity run`.', 'REPORT_INVALID')
  }
  const version = (data as {schemaVersion?: unknown}).schemaVersion
  if (version === undefined) {
    throw new UsageError(`${source} has no schemaVersion, so it is not a crmsync parity report.`, 'Point at the folder written by `crmsync parity diff` or `crmsync parity run`.', 'REPORT_INVALID')
  }
  if (!SUPPORTED_SCHEMA_VERSIONS.includes(version as 1 | 2)) {
    throw new UsageError(
      `${source} has schemaVersion ${JSON.stringify(version)}; this crmsync renders schemaVersion ${SUPPORTED_SCHEMA_VERSIONS.join(', ')} only.`,
      'Re-run the parity diff with this crmsync version, or render it with the crmsync version that wrote it.',
      'REPORT_VERSION',
    )
  }
  const parsed = reportSchema.safeParse(data)
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : ''
    throw new UsageError(
      `${source} is not a valid schemaVersion ${String(version)} report: ${problems.join('; ')}${more}.`,
      'The file was truncated or edited by hand: re-run the parity diff to write it again (docs/report-schema.md lists every field).',
      'REPORT_INVALID',
    )
  }
  return data as ParityReport
}

/** Read and validate `dir/report.json`; a missing, unreadable or corrupt file is a UsageError (exit 2). */
export async function readReportDir(dir: string): Promise<ParityReport> {
  const file = join(dir, 'report.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`
    throw new UsageError(`${file} ${why}.`, 'Pass the report folder (the one holding report.json) written by `crmsync parity diff` or `crmsync parity run`.', 'REPORT_MISSING')
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}.`, 'The file is corrupt or truncated: re-run the parity diff to write it again.', 'REPORT_INVALID')
  }
  return validateReport(data, file)
}
