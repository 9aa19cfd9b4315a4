/**
 * `crmsync parity run`: the whole parallel run on one machine. Serve the recorded portal with the
 * emulator, optionally run the legacy sync (timed) and snapshot commands against it, sync the same
 * emulator with crmsync into a fresh store (child process, timed), then diff with the portal as the
 * source of truth, add the performance figures, and render the report.
 */
import {randomBytes} from 'node:crypto'
import {existsSync, rmSync} from 'node:fs'
import {access, mkdir, mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {CrmsyncError, UsageError} from '../core/errors.js'
import {cleanupOnInterrupt, sweepStale} from '../core/temp-cleanup.js'
import {writeFileAtomic} from '../reports/atomic-write.js'
import {renderAll} from '../reports/render-all.js'
import type {ParityReport} from '../reports/report-types.js'
import type {ParityRunConfig, RunEmulatorOptions, RunThresholds} from './run-config.js'
import {syncIndex} from './history/report-index.js'
import {packageRoot, runCommand} from './run-command.js'
import {PARITY_TEMP} from './staging.js'
import {runPacing} from './run-pacing.js'

/** A running emulator as the parity run needs it. */
export interface RunEmulator {
  url: string
  /** HTTP requests served so far */
  requests(): number
  stop(): Promise<void>
}

/** What the parity run hands to the differ. */
export interface RunDiffRequest {
  legacy: string
  mapping: string
  db: string
  portal: string
  out: string
  legacySnapshotAt?: string
  performance: NonNullable<ParityReport['performance']>
  /** false: write report.json only (the run renders after its own additions) */
  render: false
  allowLowOverlap?: boolean
  strictModels?: boolean
  onWarning?: (message: string) => void
  onPhase?: (phase: string) => void
}

/** Input-sanity switches of `parity run` handed to the differ (`--allow-low-overlap`, `--strict-models`). */
/** A progress display of the run (the CLI's --progress): its phases, and the child sync's own progress. */
export interface RunProgress {
  onPhase(phase: string): void
  /** progress flags given to the child `crmsync sync all` (before the config's syncArgs) */
  childArgs: string[]
  /** a stderr line of the child sync: true when the display took it (a progress line), else it is relayed */
  childLine(line: string): boolean
}

export interface RunDiffSwitches {
  allowLowOverlap?: boolean
  strictModels?: boolean
}

/** The parts of crmsync the run orchestrates; injected so tests can replace one of them. */
export interface ParityRunDeps {
  startEmulator(portalDir: string, token: string, options: RunEmulatorOptions): Promise<RunEmulator>
  runDiff(req: RunDiffRequest): Promise<{report: ParityReport; dir: string}>
}

/** Result of a parity run (printed by `--json`). */
export interface ParityRunResult {
  ready: boolean
  runId: string
  dir: string
  files: string[]
  report: ParityReport
}

function fail(message: string, suggestion: string, code: string): CrmsyncError {
  return new CrmsyncError(message, {exit: 1, suggestion, code})
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, {recursive: true})
    await access(dir, 2 /* W_OK */)
    const probe = join(dir, `.crmsync-write-probe-${process.pid}`)
    await writeFileAtomic(probe, '')
    await rm(probe, {force: true})
  } catch (err) {
    throw new UsageError(`output folder ${dir} is not writable: ${(err as Error).message}`, 'set "out" in the config to a folder you can write to', 'OUTPUT_UNWRITABLE')
  }
}

/** The measured timings with `ratio` (legacy / crmsync) when both are known. */
export function withRatio(perf: NonNullable<ParityReport['performance']>): NonNullable<ParityReport['performance']> {
  const p = {...perf}
  if (p.legacySeconds !== undefined && p.crmsyncSeconds !== undefined && p.crmsyncSeconds > 0) p.ratio = p.legacySeconds / p.crmsyncSeconds
  return p
}

/**
 * The mapping the diff reads: the config's mapping itself, or, when the config overrides verdict
 * thresholds, a copy (in `tempDir`) whose `verdict` section has them merged in.
 */
export async function mappingWithThresholds(mapping: string, thresholds: RunThresholds | undefined, tempDir: string): Promise<string> {
  if (!thresholds || Object.keys(thresholds).length === 0) return mapping
  let raw: unknown
  try {
    const text = await readFile(mapping, 'utf8')
    raw = /\.ya?ml$/i.test(mapping) ? parseYaml(text) : JSON.parse(text)
  } catch {
    return mapping // unreadable or malformed: let the differ report it with its own message
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return mapping
  const obj = raw as Record<string, unknown>
  const verdict = obj.verdict && typeof obj.verdict === 'object' ? (obj.verdict as Record<string, unknown>) : {}
  const merged = join(tempDir, 'mapping.with-thresholds.json')
  await writeFileAtomic(merged, JSON.stringify({...obj, verdict: {...verdict, ...thresholds}}))
  return merged
}

function interrupted(): CrmsyncError {
  return fail('parity run interrupted; no report was written', 'run it again', 'INTERRUPTED')
}

/** The legacy sync (timed) and snapshot commands, when configured; returns the sync's wall time. */
async function runLegacyCommands(config: ParityRunConfig, env: NodeJS.ProcessEnv, log: (line: string) => void, signal: AbortSignal): Promise<number | undefined> {
  const timeoutMs = config.legacy.timeoutSeconds * 1000
  let seconds: number | undefined
  if (config.legacy.syncCommand) {
    log('parity run: running the legacy sync command against the same emulator')
    const legacy = await runCommand(config.legacy.syncCommand, {cwd: config.legacy.cwd, env, label: 'legacy sync', timeoutMs, write: log, signal})
    if (signal.aborted) throw interrupted()
    if (legacy.code !== 0) {
      throw fail(
        `legacy sync command ${legacy.timedOut ? `timed out after ${config.legacy.timeoutSeconds} s` : `failed (exit ${legacy.code ?? legacy.signal})`}`,
        'check legacy.syncCommand in the config and its output above',
        'LEGACY_SYNC_FAILED',
      )
    }
    seconds = legacy.seconds
    log(`parity run: legacy sync took ${legacy.seconds.toFixed(2)} s`)
  }
  if (config.legacy.snapshotCommand) {
    log('parity run: running the legacy snapshot command')
    const snap = await runCommand(config.legacy.snapshotCommand, {cwd: config.legacy.cwd, env, label: 'legacy snapshot', timeoutMs, write: log, signal})
    if (signal.aborted) throw interrupted()
    if (snap.code !== 0) throw fail(`legacy snapshot command failed (exit ${snap.code ?? snap.signal})`, 'check legacy.snapshotCommand in the config and its output above', 'LEGACY_SNAPSHOT_FAILED')
  }
  return seconds
}

/** Run the whole parity run described by `config`; progress lines go to `log` (stderr). */
export async function runParity(
  config: ParityRunConfig,
  deps: ParityRunDeps,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  switches: RunDiffSwitches = {},
  progress?: RunProgress,
): Promise<ParityRunResult> {
  await ensureWritableDir(config.out)
  sweepStale(tmpdir(), PARITY_TEMP)
  const tempDir = await mkdtemp(join(tmpdir(), `crmsync-parity-run-${process.pid}-`))
  let undoCleanup = (): void => undefined
  const store = config.store ?? join(tempDir, 'store.db')
  // a throwaway token: the emulator accepts it; a real HubSpot token is never needed nor passed on
  const token = `pat-emulator-${randomBytes(12).toString('hex')}`
  const perf: NonNullable<ParityReport['performance']> = {}
  // Ctrl-C / SIGTERM: stop the child, then let the finally blocks stop the emulator and delete the temp store
  const abort = new AbortController()
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`parity run: ${sig} received, stopping`)
    abort.abort()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    log(`parity run: serving portal ${config.portal} with the emulator; crmsync syncs into ${config.store ? 'the store' : 'a fresh store'} ${store}`)
    // both sides must meet the same limits, or the run says so loudly (stderr and report.json)
    const pacing = runPacing(config.emulator, config.syncArgs, process.env, config.legacy.syncCommand !== undefined)
    perf.pacing = pacing
    const warnPacing = (): void => {
      if (pacing.warning) log(`WARNING: ${pacing.warning}`)
    }
    warnPacing()
    const emulator = await deps.startEmulator(config.portal, token, config.emulator)
    try {
      log(`parity run: emulator listening on ${emulator.url}; limits: emulator ${pacing.emulator}, search ${pacing.search}; crmsync ${pacing.crmsync}; legacy ${pacing.legacy}`)
      const env = {...process.env, HUBSPOT_BASE_URL: emulator.url, HUBSPOT_ACCESS_TOKEN: token}
      // the legacy sync first (as in production, where it is the system of record), then crmsync
      if (config.legacy.syncCommand || config.legacy.snapshotCommand) progress?.onPhase('legacy commands')
      const legacySeconds = await runLegacyCommands(config, env, log, abort.signal)
      if (legacySeconds !== undefined) perf.legacySeconds = legacySeconds
      const before = emulator.requests()
      log(`parity run: crmsync sync all --db ${store}`)
      const root = packageRoot()
      progress?.onPhase('crmsync sync')
      // the config's syncArgs come last: a --progress of their own wins over the display's
      const progressArgs = progress && !config.syncArgs.some((a) => /^--(progress|log-format)/.test(a)) ? progress.childArgs : []
      const sync = await runCommand([process.execPath, join(root, 'bin', 'run.js'), 'sync', 'all', '--db', store, '--base-url', emulator.url, ...progressArgs, ...config.syncArgs], {
        cwd: root,
        env: {...env, NO_COLOR: '1', FORCE_COLOR: '0'},
        label: 'crmsync sync',
        write: log,
        intercept: progressArgs.length > 0 ? (line) => progress!.childLine(line) : undefined,
        signal: abort.signal,
      })
      if (abort.signal.aborted) throw interrupted()
      if (sync.code !== 0)
        throw fail(`crmsync sync all failed (exit ${sync.code ?? sync.signal}); see its output above`, 'fix the sync error shown above, then run the parity run again', 'SYNC_FAILED')
      perf.crmsyncSeconds = sync.seconds
      perf.crmsyncRequests = emulator.requests() - before
      log(`parity run: crmsync synced in ${sync.seconds.toFixed(2)} s with ${perf.crmsyncRequests} requests`)
    } finally {
      await emulator.stop()
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(config.legacy.snapshot) && !existsSync(config.legacy.snapshot)) {
      throw new UsageError(
        `legacy snapshot ${config.legacy.snapshot} does not exist after the snapshot command`,
        'make legacy.snapshotCommand write the file named in legacy.snapshot',
        'LEGACY_SNAPSHOT_MISSING',
      )
    }
    if (abort.signal.aborted) throw interrupted()
    // the diff cannot be stopped half-way (it writes its report folder atomically): Ctrl-C now ends
    // the process, after removing the temp store (the diff removes its own staging database)
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    undoCleanup = cleanupOnInterrupt(() => rmSync(tempDir, {recursive: true, force: true}))
    log('parity run: comparing the legacy snapshot with the crmsync store (portal as source of truth)')
    const {report: diffReport, dir} = await deps.runDiff({
      legacy: config.legacy.snapshot,
      mapping: await mappingWithThresholds(config.mapping, config.thresholds, tempDir),
      db: store,
      portal: config.portal,
      out: config.out,
      legacySnapshotAt: config.legacySnapshotAt,
      performance: withRatio(perf),
      render: false,
      ...switches,
      onWarning: (m) => log(`warning: ${m}`),
      onPhase: progress?.onPhase,
    })
    // the report names the operator's mapping, not the merged temp copy
    const report: ParityReport = {...diffReport, inputs: {...diffReport.inputs, mapping: config.mapping, ...(config.store ? {} : {store: '(temporary store, deleted after the run)'})}}
    await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
    progress?.onPhase('writing report')
    const {files} = await renderAll(report, dir)
    warnPacing()
    await syncIndex(config.out, [dir])
    log(`parity run: ${report.verdict.ready ? 'READY' : 'NOT READY'}; report in ${dir}`)
    return {ready: report.verdict.ready, runId: report.runId, dir, files: [join(dir, 'report.json'), ...files], report}
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
    undoCleanup()
    await rm(tempDir, {recursive: true, force: true})
  }
}
