/**
 * The contract between the sync engine (src/core, src/connectors) and the SQLite store (src/store).
 * Table layout is documented in docs/store-schema.md. Every write method runs in ONE synchronous
 * better-sqlite3 transaction together with the checkpoint it carries, so a crash can never move a
 * cursor past unwritten data.
 */
import type {AssociationRow, CrmRecord, PropertyDefinition} from '../core/records.js'

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

export interface RunRecord {
  id: number
  command: string
  startedAt: string
  finishedAt: string | null
  status: 'running' | 'ok' | 'failed' | 'interrupted' | 'daily_limit'
  counts: Record<string, PageCounts>
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

/** What the sync engine needs from a store. `DryRunStore` implements it without writing. */
export interface SyncStore {
  /** create or migrate the entity's table so it has a typed column for every given property */
  ensureEntity(spec: EntityTableSpec): void
  /** upsert live records, tombstone archived ones, and save `checkpoint` for `stream`, atomically */
  applyRecords(stream: string, entity: string, records: CrmRecord[], checkpoint: Checkpoint | null): PageCounts
  /** remove (or redirect to `survivorId`) merged-away record ids, atomically with the checkpoint */
  applyMerges(stream: string, entity: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: Checkpoint | null): PageCounts
  /**
   * replace every edge from `fromIds` (of fromEntity→toEntity) with `rows`, atomically with the
   * checkpoint; edges of other from-ids are untouched
   */
  replaceAssociations(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): PageCounts
  /**
   * the associations stream starts / finished writing: a store may defer index upkeep in between
   * (SqliteStore builds the to-side edge index after a first load instead of edge by edge)
   */
  beginEdgeLoad(): void
  endEdgeLoad(): void
  getCheckpoint(stream: string): Checkpoint | null
  /** ids of live (non-tombstoned) records of an entity, in id order, streamed */
  liveIds(entity: string): IterableIterator<string>
  addDeadLetter(entry: DeadLetter): void
  startRun(command: string, dryRun: boolean): number
  finishRun(runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): void
  close(): void
}
