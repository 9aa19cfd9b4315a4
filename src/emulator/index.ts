/**
 * The HubSpot API emulator: `createEmulator()` builds it in-process (msw handlers for
 * `setupServer`), `startEmulator()` also serves it on 127.0.0.1. See docs/emulator.md.
 */
import type {RequestHandler} from 'msw'
import {openPortal} from '../portal/snapshot.js'
import {emptyStats, type EmulatorContext} from './context.js'
import {parseFaults} from './faults.js'
import {prng} from '../portal/prng.js'
import {createHandlers} from './handlers/index.js'
import {applyMutations} from './mutations.js'
import {Pipeline} from './pipeline.js'
import {RateLimiter} from './rate-limit.js'
import {MutationSchedule, readScheduleFile} from './schedule.js'
import {listen} from './server.js'
import {EmulatorStore} from './store.js'
import type {EmulatorOptions, EmulatorStats, MutationOp, MutationResult} from './types.js'

export type {EmulatorOptions, EmulatorStats, MutationOp, MutationResult, PortalSource, RateSpec, EndpointKind} from './types.js'
export {PortInUseError} from './server.js'
export {SpecError, parseRate} from './rate-limit.js'
export {parseFaults} from './faults.js'
export {MutationError} from './mutations.js'

export interface InProcessEmulator {
  /** msw handlers: `setupServer(...emulator.handlers)` */
  handlers: RequestHandler[]
  readonly stats: EmulatorStats
  /** applies mutations now, in one transaction */
  mutate(ops: MutationOp | MutationOp[]): MutationResult[]
  /** the SQLite store (read-only use in tests) */
  store: EmulatorStore
  close(): void
}

export interface RunningEmulator extends InProcessEmulator {
  /** http://127.0.0.1:PORT, no trailing slash: the basePath for @hubspot/api-client */
  url: string
  port: number
  stop(): Promise<void>
}

/** Loads the portal and builds the handlers without listening. `origin` scopes the handlers to one host. */
export async function createEmulator(opts: EmulatorOptions, origin = '*'): Promise<InProcessEmulator> {
  const seed = opts.seed ?? 1
  const faults = parseFaults(opts.faults, seed)
  const limiter = new RateLimiter(opts)
  const entries = faults.mutations?.file ? readScheduleFile(faults.mutations.file) : []
  const source = opts.portal ?? (opts.portalDir ? await openPortal(opts.portalDir) : undefined)
  if (!source) throw new Error('startEmulator needs portalDir or portal')
  const store = await EmulatorStore.load(source, {dbPath: opts.dbPath, tmpRoot: opts.tmpRoot, signal: opts.signal})
  const ctx: EmulatorContext = {
    store,
    now: opts.now ?? Date.now,
    stats: emptyStats(),
    associationPageSize: opts.associationPageSize ?? 500,
    indexLagMs: faults.indexLagMs,
  }
  const schedule = faults.mutations ? new MutationSchedule(ctx, entries, faults.mutations.autoEvery, prng((faults.seed ?? seed) + 7919)) : undefined
  const envToken = process.env.HUBSPOT_ACCESS_TOKEN
  const pipeline = new Pipeline(ctx, {
    token: opts.token ?? (envToken && envToken.length > 0 ? envToken : undefined),
    deniedScopes: new Set((opts.deniedScopes ?? []).map((s) => store.registry.find(s)?.name ?? s)),
    retryAfter: opts.retryAfter ?? true,
    limiter,
    faults,
    schedule,
  })
  return {
    handlers: createHandlers(pipeline, origin),
    stats: ctx.stats,
    store,
    mutate: (ops) => applyMutations(ctx, Array.isArray(ops) ? ops : [ops]),
    close: () => store.close(),
  }
}

/** Loads the portal and serves it on 127.0.0.1 (`port` 0 or absent: a free port). */
export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const emu = await createEmulator(opts)
  let listener
  try {
    listener = await listen(emu.handlers, opts.port ?? 0, opts.requestLog)
  } catch (err) {
    emu.close()
    throw err
  }
  const l = listener
  return {
    ...emu,
    stats: emu.stats,
    url: l.url,
    port: l.port,
    stop: async () => {
      await l.close()
      emu.close()
    },
  }
}
