/** Validation of a sync request's operator input; every failure is a UsageError (exit 2). */
import type {EngineHooks} from './engine.js'
import {UsageError} from './errors.js'
import {parseReconcile, type ReconcileSetting} from './reconcile.js'
import {parseSince} from './timestamps.js'
import {LANE_MODES, type LaneMode} from './search-lane.js'

/** What the operator asked for, as parsed flags. */
export interface SyncRequest {
  /** entity name, `associations`, or `all` */
  target: string
  full: boolean
  since?: string
  batchSize?: number
  dryRun: boolean
  debug: boolean
  db: string
  baseUrl?: string
  /** `--api-version`: the connector validates it */
  apiVersion?: string
  config?: string
  /** custom objects config file */
  objects?: string
  /** late-indexing look-back in minutes (default 5) */
  lookbackMinutes?: number
  /** `--rate-limit`: N/10s, N/1s or none */
  rateLimit?: string
  /** `--shared-budget`: redis://HOST:PORT holding the portal's budget for every process */
  sharedBudget?: string
  /** `--reconcile-associations`: full, off or N% (default 10%) */
  reconcileAssociations?: string
  /** `--lanes`: list or list+search (default: defaultLanes) */
  lanes?: string
  json: boolean
  /** a progress display (the CLI renders one on stderr); none when absent */
  progress?: SyncProgress
}

/**
 * A progress display given by the caller: core feeds it, never draws it. With one, each object
 * stream spends one cheap request estimating its total (ObjectApi.estimateTotal) for it.
 */
export interface SyncProgress {
  hooks: Pick<EngineHooks, 'onStreamStart' | 'onStreamPlan' | 'onPage' | 'onStreamEnd'>
  /** given the client's rate-limit wait (epoch ms until which requests are held, or null) once the client exists */
  watchRateLimit?(rateWait: () => number | null): void
  stop(): void
}

export interface ValidatedRequest {
  since: number | null
  batchSize: number | null
  lookbackMs: number
  reconcile: ReconcileSetting
  lanes: LaneMode
}

/**
 * How a full run reads when `--lanes` is not given (docs/sync.md, Lanes: chosen from the
 * benchmark): under a rate limit the list bucket is the bottleneck and a search lane, drawing from
 * its own bucket, read 1.65x the records per second; with no client-side limit (`--rate-limit
 * none`) nothing is gained (a 50k-contact sync all took 16.8 s with it against 15.6 s without), so
 * the list alone.
 */
export function defaultLanes(unlimited: boolean): LaneMode {
  return unlimited ? 'list' : 'list+search'
}

export const DEFAULT_LANES_HELP = 'list+search under a rate limit, list with --rate-limit none'

/** API maxima a `--batch-size` is checked against. */
export const BATCH_MAX = {objects: 100, associations: 1000} as const

export const DEFAULT_LOOKBACK_MINUTES = 5

/** The smallest --lookback accepted: below it, late-indexed records are missed (docs/cursor-design.md). */
export const MIN_LOOKBACK_MINUTES = 1

/** Check --since, --batch-size and --lookback; throws UsageError naming the flag and the fix. */
export function validateRequest(req: SyncRequest): ValidatedRequest {
  let since: number | null = null
  if (req.since !== undefined) {
    since = parseSince(req.since)
    if (since === null) throw new UsageError(`--since "${req.since}" is not a date`, 'give YYYY-MM-DD (UTC midnight) or an ISO 8601 time such as 2026-01-31T12:00:00Z', 'BAD_SINCE')
  }
  if (req.full && since !== null) throw new UsageError('--full and --since cannot be combined', 'use --full to resync everything, or --since to resync changes after a time', 'BAD_FLAGS')
  const max = req.target === 'associations' ? BATCH_MAX.associations : BATCH_MAX.objects
  let batchSize: number | null = null
  if (req.batchSize !== undefined) {
    if (!Number.isInteger(req.batchSize) || req.batchSize < 1 || req.batchSize > max) {
      throw new UsageError(
        `--batch-size ${req.batchSize} is out of range for sync ${req.target}: it must be 1..${max} (the API maximum records per request)`,
        `pass --batch-size between 1 and ${max}${req.target === 'associations' ? '' : ' (list pages hold at most 100 records; search pages use the same size)'}`,
        'BAD_BATCH_SIZE',
      )
    }
    batchSize = req.batchSize
  }
  const minutes = req.lookbackMinutes ?? DEFAULT_LOOKBACK_MINUTES
  if (!Number.isFinite(minutes) || minutes < MIN_LOOKBACK_MINUTES) {
    throw new UsageError(
      `--lookback ${minutes} is below the minimum of ${MIN_LOOKBACK_MINUTES} minute: the CRM's search index can lag behind writes, and a record indexed after the cursor passed it would be lost for good`,
      `pass --lookback ${MIN_LOOKBACK_MINUTES} or more (default ${DEFAULT_LOOKBACK_MINUTES}); to resync everything, use --full`,
      'BAD_LOOKBACK',
    )
  }
  const lanes = (req.lanes ?? defaultLanes(req.rateLimit?.trim().toLowerCase() === 'none')) as LaneMode
  if (!LANE_MODES.includes(lanes)) {
    throw new UsageError(
      `--lanes "${req.lanes}" is not a lane mode`,
      `use one of: ${LANE_MODES.join(', ')} (list+search also reads part of a full sync through search, which has its own rate-limit bucket)`,
      'BAD_LANES',
    )
  }
  return {since, batchSize, lookbackMs: Math.round(minutes * 60_000), reconcile: parseReconcile(req.reconcileAssociations), lanes}
}
