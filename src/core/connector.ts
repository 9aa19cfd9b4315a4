/**
 * The plug-in point for a CRM: a connector builds an API client and lists its streams. The core
 * (incremental logic, checkpoints, engine) never knows which CRM it talks to.
 */
import type {AssociationRow, CrmRecord, PropertyDefinition} from './records.js'
import type {Awaitable, Checkpoint} from './store-port.js'
import type {ApiClient, RequestStats} from './http-types.js'
import type {ReconcileSetting} from './reconcile.js'

/** Settings a connector needs to build its client and resolve its streams. Never logged whole. */
export interface ConnectorConfig {
  baseUrl: string
  /** secret: never printed, logged or written */
  accessToken: string
  /** extra objects (custom objects) added by configuration, not code */
  customObjects?: CustomObjectConfig[]
  /** connector-specific settings from the objects file (the connector validated them; core never reads them) */
  settings?: Readonly<Record<string, unknown>>
  /** client-side request budget; undefined = the connector's safe default, learned from the API's answers */
  rateLimit?: {max: number; intervalMs: number; unlimited: boolean}
  /** redis://HOST:PORT: share the budget with every other process of this portal */
  sharedBudget?: string
  /** the API version to speak, as the connector names it (validated by `configure`); absent = the connector's default */
  apiVersion?: string
  /** debug logger for HTTP requests (pino or a look-alike); never receives the token */
  logger?: {debug(obj: Record<string, unknown>, msg?: string): void}
}

/** One custom object added by configuration: `{entity, objectType (name or id), properties}`. */
export interface CustomObjectConfig {
  entity: string
  objectType: string
  properties?: string[]
  modifiedProperty?: string
  /** entities this object is associated with, read from its side */
  associations?: string[]
}

/** One page of list or search results, raw as the API returned it. */
export interface RawPage {
  results: unknown[]
  /** list paging cursor for the next page; null on the last page */
  after: string | null
  /** server time of the response in epoch ms (from the Date header), when known */
  serverTime?: number
}

/** A position in the (modified timestamp, id) order used by keyset search. */
export interface KeysetPosition {
  /** epoch ms */
  ts: number
  /** last id seen at `ts`; null means "every record with modified >= ts" */
  id: string | null
}

/** What the core incremental logic needs from a CRM's object API. */
export interface ObjectApi {
  /** one list page (archived = only archived records), with every given property, merged by id */
  listPage(opts: {after: string | null; limit: number; archived: boolean; properties: string[]}, signal?: AbortSignal): Promise<RawPage>
  /** one search page strictly after `from` in (modified ASC, id ASC) order (inclusive of `from.ts` when `from.id` is null) */
  searchPage(opts: {from: KeysetPosition; limit: number; properties: string[]}, signal?: AbortSignal): Promise<RawPage>
  /**
   * Optional: one search page of live records whose ids lie strictly between `above` and `below`
   * (null: unbounded), by descending id; the search lane of a full run (src/core/search-lane.ts).
   */
  idRangePage?(opts: {above: string | null; below: string | null; limit: number; properties: string[]}, signal?: AbortSignal): Promise<RawPage>
  /**
   * Optional and cheap (one request): about how many records a run will read, all of them
   * (`sinceTs` null) or those modified at or after `sinceTs`; null when the API cannot tell.
   * Only progress displays ask; an error here never fails a sync.
   */
  estimateTotal?(opts: {sinceTs: number | null}, signal?: AbortSignal): Promise<number | null>
}

/** A stream of CRM object records (contacts, deals, ...). Mostly data plus a pure `toRecord`. */
export interface ObjectStreamDef {
  kind: 'object'
  name: string
  entity: string
  primaryKey: 'id'
  /** property holding the last-modified time (search filters and sorts on it) */
  replicationKey: string
  /** properties requested from the API */
  properties: string[]
  /** typed property definitions for the store's columns */
  describe(signal?: AbortSignal): Promise<PropertyDefinition[]>
  /** validate and normalise one raw API record; throws on a record that cannot be stored */
  toRecord(raw: unknown): CrmRecord
  /**
   * the (modified, id) keyset position of one raw result, read leniently so that a record
   * `toRecord` rejects still advances the keyset; null when it has no readable key
   */
  keyOf(raw: unknown): KeysetPosition | null
  /** the order of this CRM's ids in its search sorts (src/core/ids.ts `compareIds` for most) */
  compareIds(a: string, b: string): number
  /** ids merged into this record (losers), read from the record itself */
  mergedIds(record: CrmRecord): string[]
  /** largest page size each endpoint accepts */
  maxListPage: number
  maxSearchPage: number
  api: ObjectApi
  /** requests this stream made (a `streamClient` view's stats), so that concurrent streams report their own */
  stats: RequestStats
}

/** A page of association edges for a set of from-ids, replacing their previous edges. */
export interface AssociationPage {
  fromEntity: string
  toEntity: string
  fromIds: string[]
  rows: AssociationRow[]
  checkpoint: Checkpoint
  /** ids whose edges could not be read (dead-lettered) */
  failed: Array<{id: string; reason: string}>
  /** whether this run refreshes every from-record (full) or the changed ones (incremental), when the stream knows */
  mode?: SyncMode
}

/** How a stream ran: a full read, an incremental one, or (associations) the rolling re-read of a slice of stored records */
export type SyncMode = 'full' | 'incremental' | 'reconcile'

/** Read-only store view the association stream uses: ids to refresh, and object-stream cursors. */
export interface IdSource {
  liveIds(entity: string): Iterable<string> | AsyncIterable<string>
  getCheckpoint(stream: string): Awaitable<Checkpoint | null>
}

/** Options that shape one run of a stream. */
export interface RunOptions {
  full: boolean
  /** epoch ms overriding the stored cursor */
  since: number | null
  batchSize: number | null
  lookbackMs: number
  tmpDir: string
  signal?: AbortSignal
  /** rolling reconciliation of edges an incremental run cannot see change (src/core/reconcile.ts); absent = the default share */
  reconcile?: ReconcileSetting
  /** the whole run's requests so far (every stream), which a reconciliation slice is sized from */
  runStats?: RequestStats
  /** `--lanes`: how a full phase reads (src/core/search-lane.ts); absent = list only */
  lanes?: 'list' | 'list+search'
}

/** A stream of association edges between object streams. */
export interface AssociationStreamDef {
  kind: 'associations'
  name: string
  entity: 'associations'
  pages(checkpoint: Checkpoint | null, ids: IdSource, opts: RunOptions): AsyncIterable<AssociationPage>
  /** requests this stream made */
  stats: RequestStats
}

export type StreamDef = ObjectStreamDef | AssociationStreamDef

/** What an operator gave for one run; the connector turns it into a `ConnectorConfig`. */
export interface ConnectionRequest {
  /** `--base-url`: another API host (an emulator, a proxy) */
  baseUrl?: string
  /** `--config`: the connector's config file (token, base URL) */
  config?: string
  customObjects: CustomObjectConfig[]
  settings?: Readonly<Record<string, unknown>>
  rateLimit?: ConnectorConfig['rateLimit']
  sharedBudget?: string
  /** `--api-version` */
  apiVersion?: string
  logger?: ConnectorConfig['logger']
}

/** A CRM connector: like a database driver, a small factory. */
export interface Connector {
  name: string
  /** entity names of the built-in object streams, in dependency order */
  entities: readonly string[]
  /**
   * Read the objects file (`--objects`): extra objects, plus settings only this connector
   * understands. `reserved` names may not be used as entity names. Throws UsageError (exit 2).
   */
  loadObjects(file: string, reserved: string[]): Promise<{objects: CustomObjectConfig[]; settings?: Record<string, unknown>}>
  /** Resolve credentials and the API host (flag, environment, config file). Contacts nothing; throws UsageError (exit 2). */
  configure(req: ConnectionRequest): ConnectorConfig
  createClient(config: ConnectorConfig): ApiClient
  /** every stream this connector offers, in dependency order (objects before associations) */
  streams(client: ApiClient, config: ConnectorConfig, signal?: AbortSignal): Promise<StreamDef[]>
}
