/**
 * One `crmsync sync <target>` run, wired from its parts (any connector, any store): validate the
 * request, let the connector resolve its connection, build ONE client (one rate budget for every stream), preflight the API before the
 * store is touched, then run the selected streams in order and record the run.
 */
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {CrmsyncError, EXIT, UsageError} from './errors.js'
import type {Connector, ConnectorConfig, RunOptions, StreamDef} from './connector.js'
import {runSearchLane, runStream, type EngineHooks} from './engine.js'
import {joinSearchLane} from './shared-lanes.js'
import {OBJECT_STREAM_LANES} from './lanes.js'
import {runObjectStreams, runUnderClaim} from './stream-claims.js'
import {createLogger} from './logger.js'
import {addCounts, emptyCounts, type StreamResult} from './metrics.js'
import {parseRateLimit} from './rate-spec.js'
import {validateRequest, type SyncRequest} from './sync-request.js'
import {redactUrl} from './redact-url.js'
import {peakRssMb} from './peak-rss.js'
import type {Awaitable, StreamRunCounts, SyncStore} from './store-port.js'

/** Opens the store a run writes to (for a dry run: one that writes nothing). Given by the caller, so core knows no store. */
export type OpenSyncStore = (location: string, dryRun: boolean) => Awaitable<SyncStore>

/** The result of a run, printed as a table or returned by --json. */
export interface SyncSummary {
  command: string
  status: 'ok' | 'failed' | 'daily_limit' | 'interrupted'
  dryRun: boolean
  runId: number | null
  streams: StreamResult[]
  totals: {fetched: number; inserted: number; updated: number; unchanged: number; deleted: number; requests: number; searchRequests: number; rateLimited: number; retries: number; deadLetters: number}
  seconds: number
  recordsPerSecond: number
  /** peak resident memory of this process (peakRssMb: VmHWM on Linux) */
  peakRssMb: number
  /** user + system CPU seconds this process has used (Node start included): near `seconds`, the run was bound by its own thread */
  cpuSeconds: number
  message?: string
  resumeAt?: string
}

/** Entities a connector's streams offer, plus `all`. */
export function targetsOf(streams: StreamDef[]): string[] {
  return [...streams.map((s) => s.name), 'all']
}

/** Run `crmsync sync <req.target>` with `connector` into the store `openStore` gives. Throws CrmsyncError subclasses for operator errors. */
export async function runSync(connector: Connector, req: SyncRequest, openStore: OpenSyncStore): Promise<SyncSummary> {
  const started = performance.now()
  const valid = validateRequest(req)
  const builtIn = connector.entities
  const objectsConfig = req.objects ? await connector.loadObjects(req.objects, [...builtIn, 'associations', 'all']) : {objects: []}
  const custom = objectsConfig.objects
  const known = [...builtIn, ...custom.map((c) => c.entity), 'associations', 'all']
  if (!known.includes(req.target)) {
    throw new UsageError(`unknown entity "${req.target}"`, `use one of: ${known.join(', ')} (more custom objects can be added with --objects FILE)`, 'UNKNOWN_ENTITY')
  }
  const rateLimit = req.rateLimit ? parseRateLimit(req.rateLimit) : undefined
  const logger = createLogger(req.debug)
  const config: ConnectorConfig = connector.configure({
    baseUrl: req.baseUrl,
    apiVersion: req.apiVersion,
    config: req.config,
    customObjects: custom,
    settings: objectsConfig.settings,
    logger,
    rateLimit,
    sharedBudget: req.sharedBudget,
  })
  const client = connector.createClient(config)
  const controller = new AbortController()
  const onSignal = (): void => controller.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  let store: SyncStore | null = null
  let runId: number | null = null
  const results: StreamResult[] = []
  const progress = req.progress ?? null
  if (progress?.watchRateLimit && client.rateWait) progress.watchRateLimit(client.rateWait.bind(client))
  try {
    const all = await connector.streams(client, config, controller.signal)
    const selected = req.target === 'all' ? all : all.filter((s) => s.name === req.target)
    // preflight: one cheap authenticated read before the store is opened, so a 401/403 writes nothing
    const firstObject = all.find((s) => s.kind === 'object' && (req.target === 'all' || req.target === 'associations' || s.name === req.target))
    if (firstObject?.kind === 'object') await firstObject.describe(controller.signal)
    store = await openStore(req.db, req.dryRun)
    runId = await store.startRun(`sync ${req.target}${req.full ? ' --full' : ''}${req.since ? ` --since ${req.since}` : ''}`, req.dryRun)
    const opts: RunOptions = {
      full: req.full,
      since: valid.since,
      batchSize: valid.batchSize,
      lookbackMs: valid.lookbackMs,
      tmpDir: join(tmpdir(), 'crmsync'),
      signal: controller.signal,
      reconcile: valid.reconcile,
      runStats: client.stats,
      lanes: valid.lanes,
    }
    const hooks: EngineHooks = {
      ...progress?.hooks,
      log: (event, fields) => logger.debug(fields, event),
    }
    const ctx = {store, opts, hooks, estimateTotals: progress !== null}
    const position = new Map(selected.map((d, i) => [d.name, i]))
    const record = (r: StreamResult): void => {
      results.push(r)
      results.sort((a, b) => position.get(a.stream.replace(/#search$/, ''))! - position.get(b.stream.replace(/#search$/, ''))!) // report in stream order, whichever lane finished first
    }
    const runOne = async (def: StreamDef): Promise<void> => {
      logger.debug({stream: def.name}, 'stream start')
      try {
        record(await runStream(def, ctx))
      } catch (err) {
        const partial = (err as {partial?: StreamResult}).partial
        if (partial) record({...partial, status: isDailyLimit(err) ? 'daily_limit' : 'failed', message: (err as Error).message})
        throw err
      }
    }
    // object streams a few at a time; associations after them (they read the ids the objects wrote)
    // (several processes on one shared store each take the streams nobody holds: stream-claims.ts)
    const log = (event: string, fields: Record<string, unknown>): void => logger.debug(fields, event)
    const joinLane = (def: StreamDef): Promise<void> =>
      joinSearchLane(
        ctx.store,
        def,
        opts,
        async (d) => {
          try {
            record(await runSearchLane(d, ctx))
          } catch (err) {
            const partial = (err as {partial?: StreamResult}).partial
            if (partial) record({...partial, status: 'failed', message: (err as Error).message})
            throw err
          }
        },
        log,
      )
    await runObjectStreams(
      store,
      selected.filter((d) => d.kind === 'object'),
      OBJECT_STREAM_LANES,
      runOne,
      log,
      controller.signal,
      joinLane,
    )
    for (const def of selected) if (def.kind !== 'object') await runUnderClaim(store, def, true, runOne, log, controller.signal)
    const summary = summarize(req, runId, results, started, 'ok')
    await store.finishRun(runId, {
      status: 'ok',
      counts: countsOf(results),
      requests: summary.totals.requests,
      rateLimited: summary.totals.rateLimited,
      retries: summary.totals.retries,
      errors: summary.totals.deadLetters,
    })
    return summary
  } catch (err) {
    const status = controller.signal.aborted ? 'interrupted' : isDailyLimit(err) ? 'daily_limit' : 'failed'
    const s = summarize(req, runId, results, started, status)
    if (store && runId !== null) {
      try {
        await store.finishRun(runId, {
          status,
          counts: countsOf(results),
          requests: s.totals.requests,
          rateLimited: s.totals.rateLimited,
          retries: s.totals.retries,
          errors: s.totals.deadLetters,
          message: (err as Error).message,
        })
      } catch {
        // the run row is best effort; the original error matters more
      }
    }
    if (status === 'interrupted') {
      const done = results.reduce((n, r) => n + r.pages, 0)
      throw withSummary(
        new CrmsyncError(`sync interrupted: ${done} page(s) were written, each committed with its checkpoint; the page in flight was not`, {
          exit: EXIT.interrupted,
          code: 'INTERRUPTED',
          suggestion: `run the same command again to resume where it stopped (crmsync sync status --db ${redactUrl(req.db)} shows the cursors)`,
        }),
        s,
      )
    }
    throw withSummary(err, s)
  } finally {
    progress?.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await store?.close()
    await client.close?.().catch(() => undefined) // the run's own outcome matters more than a failed disconnect
  }
}

/** The summary of a failed run, attached to its error (for a metrics file written whatever the outcome). */
export function summaryOf(err: unknown): SyncSummary | undefined {
  return (err as {syncSummary?: SyncSummary} | null)?.syncSummary
}

function withSummary(err: unknown, summary: SyncSummary): unknown {
  if (err && typeof err === 'object') Object.defineProperty(err, 'syncSummary', {value: summary, enumerable: false, configurable: true})
  return err
}

function isDailyLimit(err: unknown): boolean {
  return (err as Error | null)?.name === 'DailyLimitError'
}

/** Per stream, what the runs table keeps: the counts plus that stream's own figures (sync status shows them). */
function countsOf(results: StreamResult[]): Record<string, StreamRunCounts> {
  return Object.fromEntries(
    results.map((r) => [
      r.stream,
      {
        ...r.counts,
        mode: r.mode,
        status: r.status,
        fetched: r.fetched,
        requests: r.requests,
        rateLimited: r.rateLimited,
        retries: r.retries,
        deadLetters: r.deadLetters,
        seconds: Math.round(r.seconds * 1000) / 1000,
      },
    ]),
  )
}

function summarize(req: SyncRequest, runId: number | null, streams: StreamResult[], started: number, status: SyncSummary['status']): SyncSummary {
  const c = emptyCounts()
  const totals = {fetched: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, requests: 0, searchRequests: 0, rateLimited: 0, retries: 0, deadLetters: 0}
  for (const s of streams) {
    addCounts(c, s.counts)
    totals.fetched += s.fetched
    totals.requests += s.requests
    totals.searchRequests += s.searchRequests
    totals.rateLimited += s.rateLimited
    totals.retries += s.retries
    totals.deadLetters += s.deadLetters
  }
  Object.assign(totals, c)
  const seconds = (performance.now() - started) / 1000
  return {
    command: `sync ${req.target}`,
    status,
    dryRun: req.dryRun,
    runId,
    streams,
    totals,
    seconds,
    recordsPerSecond: seconds > 0 ? Math.round(totals.fetched / seconds) : 0,
    peakRssMb: peakRssMb(),
    cpuSeconds: ((u) => Math.round((u.user + u.system) / 1e4) / 100)(process.cpuUsage()),
  }
}
