/**
 * `crmsync parity run`: the whole parallel run on one machine. Serve the recorded portal with the
 * emulator, sync it with crmsync into a fresh store (child process, timed), optionally run the
 * legacy sync and snapshot commands against the same emulator (timed), then diff with the portal as
 * the source of truth, add the performance figures, and render the report.
 */
import {randomBytes} from 'node:crypto'
import {existsSync} from 'node:fs'
import {access, mkdir, mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CrmsyncError, UsageError} from '../cli/errors.js'
import {writeFileAtomic} from '../reports/atomic-write.js'
import {renderAll} from '../reports/render-all.js'
import type {ParityReport, VerdictReason} from './report-types.js'
import type {ParityRunConfig, RunThresholds} from './run-config.js'
import {packageRoot, runCommand} from './run-command.js'

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
  thresholds?: RunThresholds
}

/** The parts of crmsync the run orchestrates; injected so tests can replace one of them. */
export interface ParityRunDeps {
  startEmulator(portalDir: string, token: string): Promise<RunEmulator>
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

/**
 * Put the measured timings into the report and, when `minPerformanceRatio` is set and both
 * timings are known, add (or replace) the `performance_ratio` verdict check.
 */
export function applyPerformance(report: ParityReport, perf: NonNullable<ParityReport['performance']>, minRatio?: number): ParityReport {
  const performance = {...perf}
  if (performance.legacySeconds !== undefined && performance.crmsyncSeconds !== undefined && performance.crmsyncSeconds > 0) {
    performance.ratio = performance.legacySeconds / performance.crmsyncSeconds
  }
  let reasons = report.verdict.reasons
  if (minRatio !== undefined && performance.ratio !== undefined) {
    const ok = performance.ratio >= minRatio
    const reason: VerdictReason = {
      check: 'performance_ratio',
      ok,
      actual: Number(performance.ratio.toFixed(3)),
      threshold: minRatio,
      message: `legacy sync took ${performance.ratio.toFixed(2)}x crmsync's wall time; at least ${minRatio}x is required`,
    }
    reasons = [...reasons.filter((r) => r.check !== 'performance_ratio'), reason]
  }
  return {...report, performance, verdict: {ready: reasons.every((r) => r.ok), reasons}}
}

/** Run the whole parity run described by `config`; progress lines go to `log` (stderr). */
export async function runParity(config: ParityRunConfig, deps: ParityRunDeps, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<ParityRunResult> {
  await ensureWritableDir(config.out)
  const tempDir = config.store ? undefined : await mkdtemp(join(tmpdir(), 'crmsync-parity-run-'))
  const store = config.store ?? join(tempDir as string, 'store.db')
  // a throwaway token: the emulator accepts it; a real HubSpot token is never needed nor passed on
  const token = `pat-emulator-${randomBytes(12).toString('hex')}`
  const perf: NonNullable<ParityReport['performance']> = {}
  try {
    log(`parity run: serving portal ${config.portal} with the emulator`)
    const emulator = await deps.startEmulator(config.portal, token)
    try {
      log(`parity run: emulator listening on ${emulator.url}`)
      const env = {...process.env, HUBSPOT_BASE_URL: emulator.url, HUBSPOT_ACCESS_TOKEN: token}
      const before = emulator.requests()
      log(`parity run: crmsync sync all --db ${store}`)
      const root = packageRoot()
      const sync = await runCommand([process.execPath, join(root, 'bin', 'run.js'), 'sync', 'all', '--db', store, '--base-url', emulator.url, ...config.syncArgs], {cwd: root, env, label: 'crmsync sync', write: log})
      if (sync.code !== 0) throw fail(`crmsync sync all failed (exit ${sync.code ?? sync.signal}); see its output above`, 'fix the sync error shown above, then run the parity run again', 'SYNC_FAILED')
      perf.crmsyncSeconds = sync.seconds
      perf.crmsyncRequests = emulator.requests() - before
      log(`parity run: crmsync synced in ${sync.seconds.toFixed(2)} s with ${perf.crmsyncRequests} requests`)
      const timeoutMs = config.legacy.timeoutSeconds * 1000
      if (config.legacy.syncCommand) {
        log('parity run: running the legacy sync command against the same emulator')
        const legacy = await runCommand(config.legacy.syncCommand, {cwd: config.legacy.cwd, env, label: 'legacy sync', timeoutMs, write: log})
        if (legacy.code !== 0) {
          throw fail(`legacy sync command ${legacy.timedOut ? `timed out after ${config.legacy.timeoutSeconds} s` : `failed (exit ${legacy.code ?? legacy.signal})`}`, 'check legacy.syncCommand in the config and its output above', 'LEGACY_SYNC_FAILED')
        }
        perf.legacySeconds = legacy.seconds
        log(`parity run: legacy sync took ${legacy.seconds.toFixed(2)} s`)
      }
      if (config.legacy.snapshotCommand) {
        log('parity run: running the legacy snapshot command')
        const snap = await runCommand(config.legacy.snapshotCommand, {cwd: config.legacy.cwd, env, label: 'legacy snapshot', timeoutMs, write: log})
        if (snap.code !== 0) throw fail(`legacy snapshot command failed (exit ${snap.code ?? snap.signal})`, 'check legacy.snapshotCommand in the config and its output above', 'LEGACY_SNAPSHOT_FAILED')
      }
    } finally {
      await emulator.stop()
    }
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(config.legacy.snapshot) && !existsSync(config.legacy.snapshot)) {
      throw new UsageError(`legacy snapshot ${config.legacy.snapshot} does not exist after the snapshot command`, 'make legacy.snapshotCommand write the file named in legacy.snapshot', 'LEGACY_SNAPSHOT_MISSING')
    }
    log('parity run: comparing the legacy snapshot with the crmsync store (portal as source of truth)')
    const {report: diffReport, dir} = await deps.runDiff({
      legacy: config.legacy.snapshot,
      mapping: config.mapping,
      db: store,
      portal: config.portal,
      out: config.out,
      legacySnapshotAt: config.legacySnapshotAt,
      thresholds: config.thresholds,
    })
    const report = applyPerformance(diffReport, perf, config.thresholds?.minPerformanceRatio)
    await writeFileAtomic(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`)
    const {files} = await renderAll(report, dir)
    log(`parity run: ${report.verdict.ready ? 'READY' : 'NOT READY'}; report in ${dir}`)
    return {ready: report.verdict.ready, runId: report.runId, dir, files: [join(dir, 'report.json'), ...files], report}
  } finally {
    if (tempDir) await rm(tempDir, {recursive: true, force: true})
  }
}
