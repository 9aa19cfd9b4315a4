/**
 * The config file of `crmsync parity run` (JSON or YAML): which recorded portal to serve, which
 * mapping and legacy snapshot to compare, optional legacy commands, where to write. Relative paths
 * are resolved against the config file's folder. Every error names the key and the fix (exit 2).
 */
import {existsSync, readFileSync, statSync} from 'node:fs'
import {dirname, isAbsolute, resolve} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {z} from 'zod'
import {UsageError} from '../core/errors.js'
import {parseFaults, parseRate} from '../emulator/index.js'
import {didYouMean} from './did-you-mean.js'

const command = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])

const legacySchema = z
  .object({
    /** legacy snapshot the diff reads: dumpdata JSON/JSONL(.gz), CSV folder, SQLite file or postgres:// URL */
    snapshot: z.string().min(1),
    /** legacy sync to run against the emulator first (shell string or argv array); gets HUBSPOT_BASE_URL and HUBSPOT_ACCESS_TOKEN */
    syncCommand: command.optional(),
    /** command that writes `snapshot` after the legacy sync (e.g. manage.py dumpdata) */
    snapshotCommand: command.optional(),
    /** working folder of the legacy commands (default: the config's folder) */
    cwd: z.string().min(1).optional(),
    /** kill a legacy command that runs longer than this */
    timeoutSeconds: z.number().positive().default(3600),
  })
  .strict()

const thresholdsSchema = z
  .object({
    maxNewRegressions: z.number().int().min(0).optional(),
    maxUnexplainedMismatchRate: z.union([z.number().min(0).max(1), z.record(z.string(), z.number().min(0).max(1))]).optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
    minPerformanceRatio: z.number().min(0).optional(),
  })
  .strict()

const emulatorSchema = z
  .object({
    /** rolling request budget for every request, e.g. "100/10s" (HubSpot's private-app limit); none by default */
    rateLimit: z.string().min(1).optional(),
    /** separate budget for search requests, e.g. "5/s" */
    searchRate: z.string().min(1).optional(),
    /** fault spec of `crmsync serve --faults` (docs/emulator.md) */
    faults: z.string().min(1).optional(),
    seed: z.number().int().min(0).optional(),
  })
  .strict()

const configSchema = z
  .object({
    /** recorded or generated portal snapshot folder (has manifest.json); served by the emulator and used as the source of truth */
    portal: z.string().min(1),
    /** mapping file (JSON or YAML) */
    mapping: z.string().min(1),
    /** legacy snapshot path, or an object with the legacy commands */
    legacy: z.union([z.string().min(1), legacySchema]),
    /** reports are written to <out>/<run-id>/ (default ./reports beside the config) */
    out: z.string().min(1).default('reports'),
    /** crmsync store to sync into; must not exist yet (default: a fresh temp file, deleted afterwards) */
    store: z.string().min(1).optional(),
    /** when the legacy snapshot was taken (ISO 8601); overrides the mapping's legacy.snapshotAt */
    legacySnapshotAt: z.string().datetime({offset: true}).optional(),
    /** verdict thresholds; each overrides the mapping's verdict key of the same name */
    thresholds: thresholdsSchema.optional(),
    /** extra arguments for `crmsync sync all` */
    syncArgs: z.array(z.string()).default([]),
    /** how the emulator serves the portal to both syncs (same limits for both, so timings compare) */
    emulator: emulatorSchema.default({}),
  })
  .strict()

const KEYS: Record<string, string[]> = {
  '': Object.keys(configSchema.shape),
  legacy: Object.keys(legacySchema.shape),
  thresholds: Object.keys(thresholdsSchema.shape),
  emulator: Object.keys(emulatorSchema.shape),
}

/** Every key of the config file by section ('' = top level): `parity run --help` describes each. */
export const RUN_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = KEYS

/** Emulator settings of a parity run. */
export type RunEmulatorOptions = z.infer<typeof emulatorSchema>

/** Verdict thresholds a run config may override (same names as the mapping's `verdict`). */
export type RunThresholds = z.infer<typeof thresholdsSchema>

/** A validated run config with every path absolute. */
export interface ParityRunConfig {
  file: string
  portal: string
  mapping: string
  legacy: {snapshot: string; syncCommand?: string | string[]; snapshotCommand?: string | string[]; cwd: string; timeoutSeconds: number}
  out: string
  store?: string
  legacySnapshotAt?: string
  thresholds?: RunThresholds
  syncArgs: string[]
  emulator: RunEmulatorOptions
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s)
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String)
  const where = path.length > 0 ? path.join('.') : '(top level)'
  if (issue.code === 'unrecognized_keys') {
    const known = KEYS[path.join('.')] ?? []
    return issue.keys
      .map((k) => {
        const hint = didYouMean(k, known)
        return `${path.length > 0 ? `${where}.` : ''}${k}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; known keys: ${known.join(', ')}`
      })
      .join('; ')
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where}: required key is missing`
  return `${where}: ${issue.message}`
}

/** Validate a parsed config object; `file` resolves relative paths (against its folder) and names errors. */
export function validateRunConfig(raw: unknown, file: string): ParityRunConfig {
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map(describeIssue)
    throw new UsageError(`invalid parity run config ${file}:\n${lines.map((l) => `  - ${l}`).join('\n')}`, 'fix the keys named above (docs/usage.md, "parity run", lists every key)', 'RUN_CONFIG')
  }
  const c = parsed.data
  const base = dirname(resolve(file))
  const abs = (p: string): string => (isUrl(p) || isAbsolute(p) ? p : resolve(base, p))
  const legacy = typeof c.legacy === 'string' ? {snapshot: c.legacy, timeoutSeconds: 3600} : c.legacy
  const cfg: ParityRunConfig = {
    file: resolve(file),
    portal: abs(c.portal),
    mapping: abs(c.mapping),
    legacy: {...legacy, snapshot: abs(legacy.snapshot), cwd: legacy.cwd ? abs(legacy.cwd) : base},
    out: abs(c.out),
    store: c.store ? abs(c.store) : undefined,
    legacySnapshotAt: c.legacySnapshotAt,
    thresholds: c.thresholds,
    syncArgs: c.syncArgs,
    emulator: c.emulator,
  }
  checkEmulator(cfg)
  checkPaths(cfg)
  return cfg
}

function checkEmulator(c: ParityRunConfig): void {
  const problems: string[] = []
  for (const key of ['rateLimit', 'searchRate'] as const) {
    const v = c.emulator[key]
    if (v === undefined) continue
    try {
      parseRate(v, `emulator.${key}`, key === 'rateLimit')
    } catch (e) {
      problems.push(`emulator.${key}: ${(e as Error).message}`)
    }
  }
  if (c.emulator.faults !== undefined) {
    try {
      parseFaults(c.emulator.faults)
    } catch (e) {
      problems.push(`emulator.faults: ${(e as Error).message}`)
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      `invalid parity run config ${c.file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'fix the emulator settings named above (the same syntax as `crmsync serve --rate-limit/--search-rate/--faults`)',
      'RUN_CONFIG',
    )
  }
}

function checkPaths(c: ParityRunConfig): void {
  const problems: string[] = []
  if (!existsSync(resolve(c.portal, 'manifest.json')))
    problems.push(`portal: ${c.portal} is not a portal snapshot folder (no manifest.json); record one with \`crmsync portal record\` or generate one with \`crmsync portal generate\``)
  if (!existsSync(c.mapping)) problems.push(`mapping: ${c.mapping} does not exist`)
  if (!isUrl(c.legacy.snapshot) && !c.legacy.snapshotCommand && !existsSync(c.legacy.snapshot))
    problems.push(`legacy.snapshot: ${c.legacy.snapshot} does not exist (and no legacy.snapshotCommand writes it)`)
  if (!existsSync(c.legacy.cwd) || !statSync(c.legacy.cwd).isDirectory()) problems.push(`legacy.cwd: ${c.legacy.cwd} is not a folder`)
  if (c.store && existsSync(c.store)) problems.push(`store: ${c.store} already exists; a parity run syncs into a fresh store (delete it, choose a new path, or leave store out to use a temp file)`)
  if (problems.length > 0) {
    throw new UsageError(
      `parity run config ${c.file} points at missing or unusable inputs:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      "fix the paths above (relative paths are resolved against the config file's folder)",
      'RUN_CONFIG',
    )
  }
}

/** Read, parse (JSON, or YAML for .yml/.yaml) and validate a run config file. */
export function loadRunConfig(file: string): ParityRunConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read parity run config ${file}: ${(e as Error).message}`, 'pass an existing file with --config, e.g. fixtures/demo/parity.config.json', 'RUN_CONFIG')
  }
  const yaml = /\.ya?ml$/i.test(file)
  let raw: unknown
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new UsageError(`parity run config ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message}`, 'fix the syntax error at the position shown', 'RUN_CONFIG')
  }
  return validateRunConfig(raw, file)
}
