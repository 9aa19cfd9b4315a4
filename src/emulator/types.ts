/**
 * Public types of the HubSpot API emulator: start options, the portal source it loads, mutation
 * operations and the statistics it keeps.
 */
import type {PortalManifest} from '../portal/types.js'
import type {AssociationRow, CrmRecord} from '../core/records.js'

/** What the emulator loads: structurally the PortalReader of src/portal/snapshot.ts. */
export interface PortalSource {
  manifest: PortalManifest
  /** every record of the entity, archived ones included */
  records(entity: string): AsyncIterable<CrmRecord>
  associations(): AsyncIterable<AssociationRow>
}

/** A request budget: `max` requests per `intervalMs` (rolling window). */
export interface RateSpec {
  max: number
  intervalMs: number
}

export interface EmulatorOptions {
  /** portal snapshot folder (read with src/portal/snapshot.ts) */
  portalDir?: string
  /** or an already opened portal reader / in-memory source */
  portal?: PortalSource
  /** 0 (default) picks a free port */
  port?: number
  /** rolling window for every non-search request, e.g. {max: 100, intervalMs: 10000} or "100/10s"; default 190/10s (HubSpot's Professional tier); "none" or null: no limit */
  rateLimit?: RateSpec | string | null
  /** separate bucket for search requests, e.g. "5/s"; default 5/s (HubSpot's), or none when `rateLimit` is none; "none" or null: no search limit */
  searchRate?: RateSpec | string | null
  /** requests allowed per UTC day */
  dailyLimit?: number
  /** fault spec (see docs/emulator.md), e.g. "5xx:rate=0.02;reset:every=100" */
  faults?: string
  /** seed for every random decision (faults, auto mutations); default 1 */
  seed?: number
  /** the only accepted bearer token; default HUBSPOT_ACCESS_TOKEN; with neither, any non-empty token */
  token?: string
  /** entities whose scope is missing: requests on them answer 403 */
  deniedScopes?: string[]
  /** associations per record per page in v4 batch read (HubSpot: 500) */
  associationPageSize?: number
  /** send Retry-After with rate-limit 429s (default true) */
  retryAfter?: boolean
  /** SQLite file for the loaded portal; default a temp file removed on stop */
  dbPath?: string
  /** folder for that temp file (default os.tmpdir()); a 1M-contact portal needs about 0.7 GB */
  tmpRoot?: string
  /** aborts loading the portal (the temporary SQLite file is removed) */
  signal?: AbortSignal
  /** called once per request answered by the loopback listener: `{method, path, status, ms}` (`serve --log`) */
  requestLog?: (entry: {method: string; path: string; status: number; ms: number}) => void
  /** clock in epoch ms (tests inject one); default Date.now */
  now?: () => number
}

export type MutationOp =
  | {kind: 'create'; entity: string; properties?: Record<string, string | null>; id?: string}
  | {kind: 'update'; entity: string; id: string; properties?: Record<string, string | null>}
  | {kind: 'archive'; entity: string; id: string}
  | {kind: 'merge'; entity: string; winnerId: string; loserId: string}
  | {kind: 'associate'; fromEntity: string; fromId: string; toEntity: string; toId: string; typeId?: number; label?: string | null}
  | {kind: 'unassociate'; fromEntity: string; fromId: string; toEntity: string; toId: string}

export interface MutationResult {
  kind: MutationOp['kind']
  entity: string
  /** id created / changed / archived / surviving */
  id: string
  /** merge: the id that disappeared */
  removedId?: string
}

/** Endpoint classes used for statistics and for fault targeting (`on=` in the fault grammar). */
export type EndpointKind = 'list' | 'get' | 'search' | 'batchRead' | 'associations' | 'labels' | 'schemas' | 'properties' | 'owners' | 'pipelines' | 'other'

export interface EmulatorStats {
  requests: number
  byEndpoint: Record<EndpointKind, number>
  /** 429 answers per policy name */
  rateLimited: {TEN_SECONDLY_ROLLING: number; SECONDLY: number; DAILY: number}
  unauthorized: number
  forbidden: number
  faults: {burst429: number; serverErrors: number; resets: number; slow: number; malformed: number}
  mutations: number
}
