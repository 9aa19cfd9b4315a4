/**
 * `SyncStore` over better-sqlite3. Every write method is ONE immediate transaction that also saves
 * the stream's checkpoint. Statements are prepared once per entity and cached.
 */
import Database, {type Database as Db} from 'better-sqlite3'
import {CrmsyncError} from '../core/errors.js'
import type {AssociationRow, CrmRecord} from '../core/records.js'
import {ensureEntitySchema, prepareEntityTable, type EntityTable} from './entity-table.js'
import {quoteIdent} from './identifiers.js'
import {classifyRecord, type RecordOutcome} from './record-compare.js'
import {insertDeadLetter, insertRun, updateRun} from './runs.js'
import type {
  AssociationEdge,
  ChangeFeed,
  ChangedRecordRow,
  PublishCursors,
  Checkpoint,
  ColumnSpec,
  MergedId,
  DeadLetter,
  EntityTableSpec,
  IterateOptions,
  PageCounts,
  RunRecord,
  StoredRecordRow,
  StoreHistory,
  StoredDeadLetter,
  StoreReader,
  SyncStatusResult,
  SyncStore,
} from '../core/store-port.js'
import {listEntities} from './entity-table.js'
import {iterateAssociations, iterateRawRecords, iterateRecords, propertyNames, requireEntityTable} from './read.js'
import {sqliteStatus} from './status.js'
import {sqliteDeadLetterHistory, sqliteImportHistory, sqliteRunHistory} from './history.js'
import {toColumnValue} from './typing.js'
import {applyAssociationRows, EDGE_TO_INDEX} from './association-writer.js'
import {currentSeq, dropRecordEdges, nextSeq} from './change-seq.js'
import {changedRecords, publishCursor, relatedIds, savePublishCursor} from './changes.js'
import type {SqliteHandle} from './sqlite-handle.js'
import {pruneTombstones} from './tombstones.js'

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** A record's row: id, the fixed columns, then the typed columns (`storedArchivedAt` is kept when HubSpot gives none). */
function rowValues(rec: CrmRecord, json: string, storedArchivedAt: string | null, now: string, seq: number, columns: EntityTable['columns']): unknown[] {
  const values: unknown[] = [rec.id, rec.createdAt ?? null, rec.updatedAt ?? null, rec.archived ? 1 : 0, rec.archived ? (rec.archivedAt ?? storedArchivedAt) : null, null, json, now, seq]
  const props = rec.properties
  for (const c of columns) {
    const v = hasOwn(props, c.property) ? props[c.property] : null // "constructor", "__proto__" are property names too
    values.push(c.type === 'text' && (typeof v === 'string' || v === null || v === undefined) ? (v ?? null) : toColumnValue(c.type, v))
  }
  return values
}

/** Zero counts. */
export function emptyCounts(): PageCounts {
  return {inserted: 0, updated: 0, unchanged: 0, deleted: 0}
}

/** The SQLite store. Open it with `openStore(path)` (src/store/open.ts). */
export class SqliteStore implements SyncStore, StoreReader, StoreHistory, ChangeFeed, PublishCursors, SqliteHandle {
  private readonly tables = new Map<string, EntityTable>()
  private readonly readers = new Set<Db>()
  private currentRunId: number | null = null
  /** the to-side edge index is known to exist (see beginEdgeLoad) */
  private edgeIndexReady = false
  private readonly saveCheckpointStmt
  private readonly getCheckpointStmt

  get location(): string {
    return this.path
  }

  /** `db` is open and migrated; `path` is the file it came from (for messages and read connections). */
  constructor(
    readonly db: Db,
    readonly path: string,
    readonly readonly: boolean,
  ) {
    this.getCheckpointStmt = db.prepare('SELECT value FROM checkpoints WHERE stream = ?')
    this.saveCheckpointStmt = readonly
      ? null
      : db.prepare('INSERT INTO checkpoints (stream, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
  }

  private assertWritable(): void {
    if (this.readonly) throw new CrmsyncError(`store ${this.path} is open read-only`, {suggestion: 'open it without {readonly: true} to write'})
  }

  /** The cached table of an entity, or null when the store does not have it. */
  table(entity: string): EntityTable | null {
    let t = this.tables.get(entity)
    if (!t) {
      const prepared = prepareEntityTable(this.db, entity)
      if (!prepared) return null
      t = prepared
      this.tables.set(entity, t)
    }
    return t
  }

  private writableTable(entity: string): EntityTable {
    return this.table(entity) ?? (this.ensureEntity({entity, properties: []}), this.table(entity)!)
  }

  ensureEntity(spec: EntityTableSpec): void {
    this.assertWritable()
    const changed = this.db.transaction(() => ensureEntitySchema(this.db, spec.entity, spec.properties)).immediate()
    if (changed || !this.tables.has(spec.entity)) {
      this.tables.delete(spec.entity)
      this.table(spec.entity)
    }
  }

  private saveCheckpoint(stream: string, checkpoint: Checkpoint | null): void {
    if (checkpoint !== null) this.saveCheckpointStmt!.run(stream, JSON.stringify(checkpoint), new Date().toISOString())
  }

  applyRecords(stream: string, entity: string, records: CrmRecord[], checkpoint: Checkpoint | null): PageCounts {
    this.assertWritable()
    const t = this.writableTable(entity)
    if (records.some((r) => r?.archived)) this.ensureEdgeIndex() // a tombstone drops the record's edges
    return this.db
      .transaction(() => {
        const counts = emptyCounts()
        const now = new Date().toISOString()
        const columns = t.columns
        const seq = nextSeq(this.db)
        let conflicts = 0
        for (const rec of records) {
          if (typeof rec?.id !== 'string' || rec.id === '' || typeof rec.properties !== 'object' || rec.properties === null) {
            throw new TypeError(`applyRecords(${entity}): malformed record ${JSON.stringify(rec?.id)}: needs a string id and a properties object (dead-letter it before writing)`)
          }
          const json = JSON.stringify(rec.properties)
          let outcome: RecordOutcome
          if (t.insertFirst && t.insertNew.run(rowValues(rec, json, null, now, seq, columns)).changes === 1) {
            outcome = rec.archived ? 'deleted' : 'inserted' // what classifyRecord says of a new id
          } else {
            if (t.insertFirst) conflicts++
            const existing = t.select.get(rec.id)
            outcome = classifyRecord(existing, rec, json)
            if (outcome !== 'unchanged') t.upsert.run(rowValues(rec, json, existing?.archived_at ?? null, now, seq, columns))
          }
          counts[outcome]++
          // an archived record has no associations in HubSpot: drop its edges in both directions
          if (outcome === 'deleted') dropRecordEdges(this.db, entity, rec.id, seq)
        }
        // mostly known ids after all (a second pass in one process): look up first again
        if (conflicts * 2 > records.length) t.insertFirst = false
        this.saveCheckpoint(stream, checkpoint)
        return counts
      })
      .immediate()
  }

  /** Create the to-side edge index unless it is known to exist (it is missing during a first edge load). */
  private ensureEdgeIndex(): void {
    if (this.edgeIndexReady) return
    this.db.exec(EDGE_TO_INDEX.create)
    this.edgeIndexReady = true
  }

  /**
   * A full associations load begins: when the edge table is empty (a first load), drop its to-side
   * index, which every inserted edge would otherwise update at a random place; `endEdgeLoad`
   * builds it in one sorted pass. After a crash in between, the rerun goes on without the index
   * and builds it at its end; any write that deletes edges builds it first (ensureEdgeIndex).
   */
  beginEdgeLoad(): void {
    this.assertWritable()
    if (this.db.prepare('SELECT 1 FROM associations LIMIT 1').get()) return
    this.db.exec(EDGE_TO_INDEX.drop)
    this.edgeIndexReady = false
  }

  /** The associations stream finished: make sure the to-side edge index exists. */
  endEdgeLoad(): void {
    this.assertWritable()
    this.edgeIndexReady = false
    this.ensureEdgeIndex()
  }

  applyMerges(stream: string, entity: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: Checkpoint | null): PageCounts {
    this.assertWritable()
    const t = this.writableTable(entity)
    this.ensureEdgeIndex()
    return this.db
      .transaction(() => {
        const counts = emptyCounts()
        const now = new Date().toISOString()
        const seq = nextSeq(this.db)
        for (const {loserId, survivorId} of merges) {
          const existing = t.select.get(loserId)
          if (!existing) {
            // remember the id so a stale search hit for it can never bring it back as live
            // (not counted: no record the store held changed)
            t.mergePlaceholder.run(loserId, survivorId, now, seq)
          } else if (existing.merged_into !== survivorId) {
            t.merge.run(survivorId, now, seq, loserId)
            counts.deleted++
          } else {
            counts.unchanged++
          }
          dropRecordEdges(this.db, entity, loserId, seq)
        }
        this.saveCheckpoint(stream, checkpoint)
        return counts
      })
      .immediate()
  }

  replaceAssociations(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): PageCounts {
    this.assertWritable()
    return this.db
      .transaction(() => {
        const counts = applyAssociationRows(this.db, fromEntity, toEntity, fromIds, rows, nextSeq(this.db))
        this.saveCheckpoint(stream, checkpoint)
        return counts
      })
      .immediate()
  }

  /** Set a stream's checkpoint outside any page write (`store copy` carries the cursors over); null removes it. */
  setCheckpoint(stream: string, checkpoint: Checkpoint | null): void {
    this.assertWritable()
    if (checkpoint === null) this.db.prepare('DELETE FROM checkpoints WHERE stream = ?').run(stream)
    else this.saveCheckpointStmt!.run(stream, JSON.stringify(checkpoint), new Date().toISOString())
  }

  getCheckpoint(stream: string): Checkpoint | null {
    const row = this.getCheckpointStmt.get(stream) as {value: string} | undefined
    return row ? (JSON.parse(row.value) as Checkpoint) : null
  }

  /**
   * Live ids (not archived, not merged) in id order. Reads through a separate connection, so the
   * caller may write to the store between items; the ids are those committed when iteration began.
   */
  *liveIds(entity: string): IterableIterator<string> {
    const t = this.table(entity)
    if (!t) return
    const reader = this.openReader()
    try {
      const stmt = reader.db.prepare(`SELECT id FROM ${quoteIdent(t.table)} WHERE archived = 0 AND merged_into IS NULL ORDER BY length(id), id`).pluck()
      for (const id of stmt.iterate() as IterableIterator<string>) yield id
    } finally {
      reader.release()
    }
  }

  /**
   * A separate read-only connection (closed with the store), so a caller can iterate one long read
   * while it uses the store in between items. One sequential scan (and a sort that may spill to a
   * temp file): a 2 MB cache serves it as well as the 16 MB default, which would stay resident.
   */
  openReader(): {db: Db; release(): void} {
    const reader = new Database(this.path, {readonly: true, fileMustExist: true})
    this.readers.add(reader)
    reader.pragma('cache_size = -2000')
    return {
      db: reader,
      release: () => {
        this.readers.delete(reader)
        reader.close()
      },
    }
  }

  runHistory(): IterableIterator<RunRecord> {
    return sqliteRunHistory(this.db)
  }

  deadLetterHistory(): IterableIterator<StoredDeadLetter> {
    return sqliteDeadLetterHistory(this.db)
  }

  importHistory(runs: RunRecord[], deadLetters: StoredDeadLetter[], stream: string, checkpoint: Checkpoint): void {
    this.assertWritable()
    this.db
      .transaction(() => {
        sqliteImportHistory(this.db, runs, deadLetters)
        this.saveCheckpoint(stream, checkpoint)
      })
      .immediate()
  }

  addDeadLetter(entry: DeadLetter): void {
    this.assertWritable()
    insertDeadLetter(this.db, entry, this.currentRunId)
  }

  startRun(command: string, dryRun: boolean): number {
    this.assertWritable()
    this.currentRunId = insertRun(this.db, command, dryRun)
    return this.currentRunId
  }

  finishRun(runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): void {
    this.assertWritable()
    updateRun(this.db, runId, {finishedAt: new Date().toISOString(), ...patch})
    if (patch.status === 'ok') pruneTombstones(this.db) // at the end of every sync too: a store never published keeps none (./tombstones.ts)
  }

  /**
   * Close every connection. A writable store is switched back to rollback-journal mode when no
   * other connection uses it, so later read-only opens (export, status, dry runs) create no
   * -wal/-shm files.
   */
  entities(): string[] {
    return listEntities(this.db)
  }

  columns(entity: string): string[] | null {
    return this.table(entity)?.columns.map((c) => c.property) ?? null
  }

  columnTypes(entity: string): ColumnSpec[] | null {
    return this.table(entity)?.columns.map(({property, type}) => ({property, type})) ?? null
  }

  *mergedIds(entity: string): IterableIterator<MergedId> {
    const table = requireEntityTable(this, entity)
    const stmt = this.db.prepare(`SELECT id, merged_into AS mergedInto FROM ${quoteIdent(table)} WHERE merged_into IS NOT NULL ORDER BY length(id), id`)
    yield* stmt.iterate() as IterableIterator<MergedId>
  }

  propertyNames(entity: string): string[] {
    return propertyNames(this, entity)
  }

  rawRecords(entity: string, options?: IterateOptions): IterableIterator<StoredRecordRow> {
    return iterateRawRecords(this, entity, options)
  }

  records(entity: string, options?: IterateOptions): IterableIterator<CrmRecord> {
    return iterateRecords(this, entity, options)
  }

  associations(filter?: {fromEntity?: string; toEntity?: string}): IterableIterator<AssociationEdge> {
    return iterateAssociations(this, filter)
  }

  status(): SyncStatusResult {
    return sqliteStatus(this)
  }

  changeSeq(): number {
    return currentSeq(this.db)
  }

  changedRecords(entity: string, sinceSeq: number, edgesWith?: string[]): IterableIterator<ChangedRecordRow> {
    return changedRecords(this, entity, sinceSeq, edgesWith)
  }

  relatedIds(entity: string, ids: string[], other: string): Map<string, string[]> {
    return relatedIds(this, entity, ids, other)
  }

  publishCursor(target: string): number | null {
    return publishCursor(this, target)
  }

  savePublishCursor(target: string, seq: number): void {
    this.assertWritable()
    savePublishCursor(this, target, seq)
  }

  pruneTombstones(): number {
    this.assertWritable()
    return pruneTombstones(this.db)
  }

  close(): void {
    for (const r of this.readers) r.close()
    this.readers.clear()
    if (!this.db.open) return
    if (!this.readonly) {
      try {
        this.db.pragma('busy_timeout = 100')
        this.db.pragma('journal_mode = DELETE')
      } catch {
        // another connection is using the store: it stays in WAL mode, which is fine
      }
    }
    this.db.close()
  }
}
