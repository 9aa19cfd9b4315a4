/**
 * The store port: the contract between the sync engine (src/core, src/connectors) and a store
 * (src/store: SQLite today). Every write method runs in ONE transaction together with the
 * checkpoint it carries, so a crash can never move a cursor past unwritten data.
 *
 * The port is asynchronous: every method returns `Awaitable<T>` and callers always await. A store
 * whose driver is synchronous (better-sqlite3, whose transactions cannot span an await) answers
 * with plain values, which costs the caller one microtask; a store on a network database
 * (PostgreSQL) returns promises. TypeScript refuses a caller that uses an `Awaitable` as a value
 * without awaiting it. See docs/architecture.md, "The store port".
 */
import type {AssociationRow, CrmRecord, PropertyDefinition} from './records.js'

/** A value or a promise of it: what every store port method returns. */
export type Awaitable<T> = T | Promise<T>

/** Opaque per-stream cursor state; the engine owns its shape, the store persists it as JSON. */
export type Checkpoint = Record<string, unknown>

export interface PageCounts {
  inserted: number
  updated: number
  unchanged: number
  deleted: number // tombstoned (archived) or removed (merged losers)
}

export interface EntityTableSpec {
  entity: string
  /** property definitions for typed columns (types from GET /crm/v3/properties) */
  properties: PropertyDefinition[]
}

/** Per stream of a run (runs.counts): the page counts plus, from this version on, the stream's own figures. */
export interface StreamRunCounts extends PageCounts {
  mode?: 'full' | 'incremental' | 'reconcile'
  status?: string
  fetched?: number
  requests?: number
  rateLimited?: number
  retries?: number
  deadLetters?: number
  seconds?: number
}

export interface RunRecord {
  id: number
  command: string
  startedAt: string
  finishedAt: string | null
  status: 'running' | 'ok' | 'failed' | 'interrupted' | 'daily_limit'
  counts: Record<string, StreamRunCounts>
  requests: number
  rateLimited: number
  retries: number
  errors: number
  dryRun: boolean
  message?: string | null
}

export interface StreamStatus {
  stream: string
  checkpoint: Checkpoint | null
  updatedAt: string | null
  rows: number
  tombstones: number
}

export interface DeadLetter {
  stream: string
  recordId: string | null
  payload: unknown
  reason: string
  /** the run it belongs to; defaults to the store's current run (the last `startRun`) */
  runId?: number | null
}

/** A dead letter as a store holds it (what `crmsync store copy` carries over). */
export interface StoredDeadLetter {
  id: number
  runId: number | null
  stream: string
  recordId: string | null
  /** the payload's JSON text as stored, or null */
  payload: string | null
  reason: string
  createdAt: string
}

/**
 * The history of a store, its runs and dead letters, read in id order and written back with their
 * ids and times (`crmsync store copy`). Both stores implement it.
 */
export interface StoreHistory {
  runHistory(): Iterable<RunRecord> | AsyncIterable<RunRecord>
  deadLetterHistory(): Iterable<StoredDeadLetter> | AsyncIterable<StoredDeadLetter>
  /** insert runs and dead letters as they are (ids included) and save `checkpoint` for `stream`, in one transaction */
  importHistory(runs: RunRecord[], deadLetters: StoredDeadLetter[], stream: string, checkpoint: Checkpoint): Awaitable<void>
}

/**
 * A claim on one stream by this process, in a store that several processes share (PostgreSQL):
 * while it is held no other process runs the stream; a process that dies releases it.
 */
export interface StreamClaim {
  /** another process completed the stream after this run started: nothing is left to do */
  readonly doneElsewhere: boolean
  /** give the claim up; `completed` records the stream as done by this run */
  release(completed: boolean): Awaitable<void>
  /** whether another process is waiting for this claim (a holder may then hand its work over: src/core/shared-lanes.ts) */
  contended?(): Awaitable<boolean>
}

/** What the sync engine needs from a store. `DryRunStore` implements it without writing. */
export interface SyncStore {
  /** create or migrate the entity's table so it has a typed column for every given property */
  ensureEntity(spec: EntityTableSpec): Awaitable<void>
  /** upsert live records, tombstone archived ones, and save `checkpoint` for `stream`, atomically */
  applyRecords(stream: string, entity: string, records: CrmRecord[], checkpoint: Checkpoint | null): Awaitable<PageCounts>
  /** remove (or redirect to `survivorId`) merged-away record ids, atomically with the checkpoint */
  applyMerges(stream: string, entity: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: Checkpoint | null): Awaitable<PageCounts>
  /**
   * replace every edge from `fromIds` (of fromEntity→toEntity) with `rows`, atomically with the
   * checkpoint; edges of other from-ids are untouched
   */
  replaceAssociations(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): Awaitable<PageCounts>
  /**
   * the associations stream starts / finished writing: a store may defer index upkeep in between
   * (SqliteStore builds the to-side edge index after a first load instead of edge by edge)
   */
  beginEdgeLoad(): Awaitable<void>
  endEdgeLoad(): Awaitable<void>
  getCheckpoint(stream: string): Awaitable<Checkpoint | null>
  /** ids of live (non-tombstoned) records of an entity, in id order, streamed */
  liveIds(entity: string): Iterable<string> | AsyncIterable<string>
  addDeadLetter(entry: DeadLetter): Awaitable<void>
  startRun(command: string, dryRun: boolean): Awaitable<number>
  /**
   * Optional (stores shared by several processes): claim `stream` for this process. Without `wait`,
   * null when another process holds it; with `wait`, blocks until it is free (or `signal` aborts).
   * A store without it (SQLite: one process at a time) runs every stream itself.
   */
  claimStream?(stream: string, options: {wait: boolean; signal?: AbortSignal}): Awaitable<StreamClaim | null>
  finishRun(runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): Awaitable<void>
  close(): Awaitable<void>
}

/** One association edge: a from→to pair with one of its types. */
export interface AssociationEdge {
  fromEntity: string
  fromId: string
  toEntity: string
  toId: string
  typeId: number
  category: string
  label: string | null
}

/** A stored record, its properties still as the JSON text the connector delivered (bulk copies skip the parse). */
export interface StoredRecordRow {
  id: string
  created_at: string | null
  updated_at: string | null
  /** 1 for a tombstone (archived at the source), else 0 */
  archived: number
  archived_at: string | null
  properties: string
}

export interface IterateOptions {
  /** include tombstones (archived records); default true */
  includeArchived?: boolean
}

/** A typed column of an entity: the property and how its values are typed (docs/store-schema.md "Typing rules"). */
export interface ColumnSpec {
  property: string
  type: 'decimal' | 'bool' | 'date' | 'datetime' | 'text'
}

/** A merged-away record id and the survivor it was merged into. */
export interface MergedId {
  id: string
  mergedInto: string
}

/** The last run that touched a stream. */
export interface StreamRunSummary {
  id: number
  command: string
  startedAt: string
  finishedAt: string | null
  status: RunRecord['status']
  /** requests of the whole run (every stream) */
  requests: number
  errors: number
  /** this stream's own counts and figures in that run (mode, seconds, requests...; older runs: counts only) */
  stream?: StreamRunCounts
}

/** One line of the status table: an entity, a checkpointed stream, or both. */
export interface StreamStatusLine {
  stream: string
  cursor: Checkpoint | null
  cursorUpdatedAt: string | null
  /** the cursor as an instant (ISO 8601 UTC): the high-water mark of a finished stream, the search position of one in progress; null when it has none */
  cursorAt?: string | null
  /** the record id the cursor stands at (search keyset or list position), when it has one */
  cursorId?: string | null
  /** the cursor's phase (`done`, `search`, `full`, ... for objects; `full`, `incremental`, `done` for associations) */
  cursorPhase?: string | null
  /** live records (entities) or edges (associations); null for a stream that is not an entity */
  rows: number | null
  tombstones: number | null
  merged: number | null
  deadLetters: number
  lastRun: StreamRunSummary | null
}

/** What `crmsync sync status` shows (its --json output). */
export interface SyncStatusResult {
  db: string
  schemaVersion: number
  streams: StreamStatusLine[]
  lastRun: RunRecord | null
  /** the last run that ended ok (dry runs excluded): its id and end time */
  lastSuccess?: {id: number; finishedAt: string | null} | null
  totals: {records: number; tombstones: number; associations: number; deadLetters: number}
}

/**
 * The read side of the store port: what export, status, parity and publish read. Every read is in
 * id order (`compareIds`), streamed; merged-away losers are never returned.
 */
export interface StoreReader {
  /** where the store is: a file path, or a URL without its password */
  readonly location: string
  /** entities the store has a table for, sorted */
  entities(): Awaitable<string[]>
  /** properties with a typed column for `entity`, or null when the store does not have the entity */
  columns(entity: string): Awaitable<string[] | null>
  /** the typed columns of `entity` with their types, in creation order, or null when the store does not have the entity */
  columnTypes(entity: string): Awaitable<ColumnSpec[] | null>
  /** merged-away ids of `entity` (never returned by `records`), in id order: what `crmsync store copy` carries over */
  mergedIds(entity: string): Iterable<MergedId> | AsyncIterable<MergedId>
  /** every property name of `entity`: its typed columns plus every key in the stored records, sorted */
  propertyNames(entity: string): Awaitable<string[]>
  /** records of an entity (tombstones included unless excluded) with their properties as JSON text */
  rawRecords(entity: string, options?: IterateOptions): Iterable<StoredRecordRow> | AsyncIterable<StoredRecordRow>
  /** records of an entity, parsed */
  records(entity: string, options?: IterateOptions): Iterable<CrmRecord> | AsyncIterable<CrmRecord>
  /** every association edge, ordered by from entity, from id, to entity, to id, category, type id */
  associations(filter?: {fromEntity?: string; toEntity?: string}): Iterable<AssociationEdge> | AsyncIterable<AssociationEdge>
  /** cursors, counts, dead letters and recent runs */
  status(): Awaitable<SyncStatusResult>
  close(): Awaitable<void>
}

/**
 * The store's change feed, what an incremental publish reads (both stores have it: SQLite with one
 * counter, PostgreSQL with transaction ids, src/store/postgres/change-seq.ts).
 */
export interface ChangeFeed {
  /**
   * The sequence up to which every change is committed: with one writer at a time (SQLite) the
   * highest value handed out so far; with concurrent writers (PostgreSQL) a safe high-water mark
   * below every transaction still in flight. Every write transaction of the store stamps each
   * record row and edge it changes with one sequence, higher than any committed before it began
   * (an edge it removes leaves a tombstone with it), so "changed after N" misses nothing. Publish
   * reads it before it reads changes and saves it as the target's cursor.
   */
  changeSeq(): Awaitable<number>
  /**
   * Rows of `entity` changed after sequence `sinceSeq` (-1: every row), in id order: live records,
   * tombstones and merged-away losers (`merged_into` set), plus every record whose edges to or from
   * one of `edgesWith` were inserted, relabelled or removed after `sinceSeq`.
   */
  changedRecords(entity: string, sinceSeq: number, edgesWith?: string[]): Iterable<ChangedRecordRow> | AsyncIterable<ChangedRecordRow>
  /** for each of `ids` (records of `entity`), the ids of `other` records it has an edge with, in either direction, sorted */
  relatedIds(entity: string, ids: string[], other: string): Awaitable<Map<string, string[]>>
}

/** A row `changedRecords` returns: a stored record, or a merged-away loser (its survivor in `merged_into`). */
export interface ChangedRecordRow extends StoredRecordRow {
  merged_into: string | null
  seq: number
}

/**
 * Where publish keeps its cursor per target (the change sequence it last published completely),
 * keyed by target and schema. Writes outside any sync transaction; a lost save only repeats work.
 */
export interface PublishCursors {
  /** null: no cursor, or one the store can no longer publish incrementally from (the tombstones after it were pruned) */
  publishCursor(target: string): Awaitable<number | null>
  savePublishCursor(target: string, seq: number): Awaitable<void>
  /**
   * Delete the edge tombstones no incremental publish reads any more (those up to the oldest saved
   * cursor; all of them when no target has a cursor), in bounded batches; returns how many. Called
   * after a publish saved its cursor; a store also prunes at the end of a successful sync.
   */
  pruneTombstones(): Awaitable<number>
}
