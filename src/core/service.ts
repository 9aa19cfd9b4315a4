/**
 * Service mode: `crmsync sync all --every 5m [--listen 127.0.0.1:9464]` runs forever, one run per
 * interval, never two at once (a run longer than the interval is followed by the next one right
 * away). SIGTERM or SIGINT stops it: during a run, the run stops at a page boundary (every page
 * written is committed with its checkpoint, the next start resumes there) and the service exits 0;
 * between runs it exits at once. Runs refused by the API for their credentials (401/403) several
 * times in a row end the service with a clear message; an input error (exit 2) ends it at once;
 * any other failure is counted and the next interval tries again.
 */
import {ApiError} from './api-errors.js'
import {CrmsyncError, EXIT, UsageError} from './errors.js'
import {parseListen, serveHealth} from './service-http.js'
import {ServiceMetrics} from './service-metrics.js'
import type {SyncSummary} from './sync-runner.js'

export interface ServiceOptions {
  /** `--every`: 30s, 5m, 1h ... */
  every: string
  /** `--listen HOST:PORT`: serve /healthz and /metrics */
  listen?: string
  /** one sync run */
  run: () => Promise<SyncSummary>
  /** a line for the operator (stderr) */
  log: (line: string) => void
  /** runs in a row refused for their credentials before the service gives up (default 3) */
  maxAuthFailures?: number
}

export interface ServiceSummary {
  runs: number
  outcomes: Record<string, number>
  stoppedBy: 'signal'
  lastRun: SyncSummary | null
}

const UNITS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000}

/** `--every` in milliseconds: a number with s, m or h, at least one second. */
export function parseEvery(spec: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(spec.trim())
  const ms = m ? Number(m[1]) * UNITS[m[2]] : NaN
  if (!(ms >= 1000)) throw new UsageError(`--every "${spec}" is not an interval of at least 1s`, 'pass e.g. --every 5m, --every 30s or --every 1h', 'BAD_FLAG')
  return ms
}

const isAuthFailure = (err: unknown): boolean => err instanceof ApiError && (err.status === 401 || err.status === 403)

/** Run `options.run` once per interval until a signal; see the header. */
export async function runService(options: ServiceOptions): Promise<ServiceSummary> {
  const everyMs = parseEvery(options.every)
  const listen = options.listen ? parseListen(options.listen) : null
  const maxAuth = options.maxAuthFailures ?? 3
  const metrics = new ServiceMetrics()
  const server = listen ? await serveHealth(metrics, listen.host, listen.port) : null
  if (server) options.log(`listening on http://${listen!.host.includes(':') ? `[${listen!.host}]` : listen!.host}:${server.port} (/healthz, /metrics)`)
  let stopping = false
  let wake: (() => void) | null = null
  const onSignal = (): void => {
    stopping = true
    wake?.()
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  let runs = 0
  let authFailures = 0
  let lastRun: SyncSummary | null = null
  try {
    while (!stopping) {
      const started = Date.now()
      runs++
      metrics.running = true
      try {
        lastRun = await options.run()
        metrics.record(lastRun.status, started, lastRun)
        authFailures = 0
        options.log(`run ${runs}: ${lastRun.status}, ${lastRun.totals.fetched} records, ${lastRun.totals.requests} requests in ${lastRun.seconds.toFixed(1)} s`)
      } catch (err) {
        if (stopping && (err as CrmsyncError).options?.code === 'INTERRUPTED') {
          metrics.record('interrupted', started, null)
          options.log(`run ${runs} stopped by a signal at a page boundary: every page written is committed with its checkpoint; the next start resumes there`)
          break
        }
        if (err instanceof CrmsyncError && err.exitCode === EXIT.usage) throw err // the same input fails every time
        const auth = isAuthFailure(err)
        metrics.record(auth ? 'auth_failed' : 'failed', started, null)
        options.log(`run ${runs} failed: ${(err as Error).message}`)
        authFailures = auth ? authFailures + 1 : 0
        if (authFailures >= maxAuth) {
          throw new CrmsyncError(`stopping the service: ${authFailures} runs in a row were refused for their credentials (${(err as Error).message})`, {
            exit: EXIT.failure,
            code: 'AUTH',
            suggestion: (err as CrmsyncError).options?.suggestion ?? 'fix the credentials, then start the service again',
          })
        }
      } finally {
        metrics.running = false
      }
      const wait = started + everyMs - Date.now()
      if (!stopping && wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = null
      }
    }
    return {runs, outcomes: Object.fromEntries(metrics.runs), stoppedBy: 'signal', lastRun}
  } finally {
    process.off('SIGTERM', onSignal)
    process.off('SIGINT', onSignal)
    await server?.close()
  }
}
