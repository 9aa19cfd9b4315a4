/** Validation of a sync request's operator input; every failure is a UsageError (exit 2). */
import {UsageError} from './errors.js'
import {parseSince} from './timestamps.js'

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
  json: boolean
  /** show progress bars (stderr is a terminal and not --json) */
  progress: boolean
}

export interface ValidatedRequest {
  since: number | null
  batchSize: number | null
  lookbackMs: number
}

/** API maxima a `--batch-size` is checked against. */
export const BATCH_MAX = {objects: 100, associations: 1000} as const

export const DEFAULT_LOOKBACK_MINUTES = 5

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
  if (!Number.isFinite(minutes) || minutes < 0) throw new UsageError(`--lookback ${minutes} must be a non-negative number of minutes`, 'pass e.g. --lookback 5', 'BAD_LOOKBACK')
  return {since, batchSize, lookbackMs: Math.round(minutes * 60_000)}
}
