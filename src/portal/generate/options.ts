/** Options of the synthetic portal generator and their validation (UsageError, exit 2). */
import {UsageError} from '../../core/errors.js'

export interface GenerateOptions {
  /** snapshot folder to create */
  out: string
  contacts: number
  deals: number
  appointments: number
  divisions: number
  /** same seed and options → byte-identical snapshot */
  seed: number
  /** companies (0-2) to include (default 0: none, so snapshots without them stay byte-identical) */
  companies?: number
  /** tickets (0-5) to include (default 0) */
  tickets?: number
  /** custom properties added to every object type, cycling through every property type (default 0) */
  customProperties?: number
  /** contacts that share one modified timestamp (default: a tenth of the contacts) */
  sharedTimestamp?: number
  /** share of records (beyond the forced edge cases) that are archived, 0..1 (default 0.02) */
  archivedRatio?: number
  gzip?: boolean
  /** HubSpot portal id (default derived from the seed) */
  portalId?: number
  /** replace a non-empty --out folder */
  force?: boolean
}

export type ResolvedOptions = Required<GenerateOptions>

const MAX_RECORDS = 100_000_000
const MAX_CUSTOM = 2_000

function count(name: string, v: number, max = MAX_RECORDS): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new UsageError(`--${name} must be a whole number from 0 to ${max.toLocaleString('en-US')}, got ${v}.`, `Pass e.g. --${name} 1000.`, 'BAD_FLAG')
  }
}

/** Checks every option and fills in defaults; throws UsageError naming the flag and the fix. */
export function resolveGenerateOptions(o: GenerateOptions): ResolvedOptions {
  if (typeof o.out !== 'string' || o.out.trim() === '') throw new UsageError('--out is required: the folder to write the portal snapshot to.', 'Pass e.g. --out .tmp/portal.', 'BAD_FLAG')
  count('contacts', o.contacts)
  count('deals', o.deals)
  count('appointments', o.appointments)
  count('divisions', o.divisions)
  count('companies', o.companies ?? 0, 1_000_000_000)
  count('tickets', o.tickets ?? 0, 1_000_000_000)
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) throw new UsageError(`--seed must be a non-negative whole number, got ${o.seed}.`, 'Pass e.g. --seed 42.', 'BAD_FLAG')
  const customProperties = o.customProperties ?? 0
  count('custom-properties', customProperties, MAX_CUSTOM)
  const sharedTimestamp = o.sharedTimestamp ?? Math.floor(o.contacts / 10)
  count('shared-timestamp', sharedTimestamp)
  if (sharedTimestamp > o.contacts) {
    throw new UsageError(
      `--shared-timestamp ${sharedTimestamp} is more than --contacts ${o.contacts}: only contacts share the timestamp.`,
      `Pass --contacts ${sharedTimestamp} or more, or a smaller --shared-timestamp.`,
      'BAD_FLAG',
    )
  }
  const archivedRatio = o.archivedRatio ?? 0.02
  if (typeof archivedRatio !== 'number' || !(archivedRatio >= 0 && archivedRatio <= 1)) {
    throw new UsageError(`--archived-ratio must be a number from 0 to 1, got ${archivedRatio}.`, 'Pass e.g. --archived-ratio 0.05 (5% archived).', 'BAD_FLAG')
  }
  const portalId = o.portalId ?? 10_000_000 + (o.seed % 89_999_999)
  if (!Number.isSafeInteger(portalId) || portalId <= 0) throw new UsageError(`--portal-id must be a positive whole number, got ${portalId}.`, 'Pass e.g. --portal-id 12345678.', 'BAD_FLAG')
  return {
    out: o.out,
    contacts: o.contacts,
    deals: o.deals,
    appointments: o.appointments,
    divisions: o.divisions,
    companies: o.companies ?? 0,
    tickets: o.tickets ?? 0,
    seed: o.seed,
    customProperties,
    sharedTimestamp,
    archivedRatio,
    gzip: o.gzip ?? false,
    portalId,
    force: o.force ?? false,
  }
}
