/**
 * `SyncStore` and `StoreReader` on PostgreSQL, with the meaning of the SQLite store: every write
 * method is ONE transaction that also saves the stream's checkpoint. Open it with
 * `openPostgresStore(url)` (./open.ts). Schema and differences: docs/store-schema.md "PostgreSQL".
 */
import {CrmsyncError} from '../../core/errors.js'
import type {AssociationRow, CrmRecord} from '../../core/records.js'
import type {
  AssociationEdge,
  ChangedRecordRow,
  ChangeFeed,
  Checkpoint,
  ColumnSpec,
  MergedId,
  StreamClaim,
  DeadLetter,
  EntityTableSpec,
  IterateOptions,
  PageCounts,
  PublishCursors,
  RunRecord,
  StoredRecordRow,
  StoreHistory,
  StoredDeadLetter,
  StoreReader,
  SyncStatusResult,
  SyncStore,
} from '../../core/store-port.js'
import {ASSOCIATIONS_ENTITY, rowToRecord} from '../read.js'
import {PATCH_COLUMNS} from '../runs.js'
import {UsageError} from '../../core/errors.js'
import {insertNewAssociations, writeAssociations} from './association-writer.js'
import {EDGE_TO_INDEX} from '../association-writer.js'
import {pgChangedRecords, pgChangeSeq, pgPublishCursor, pgRelatedIds, pgSavePublishCursor} from './changes.js'
import {pgPruneTombstones} from './tombstones.js'
import {analyzeEdgesIfChanged} from './edge-stats.js'
import {claimPgStream} from './claims.js'
import {pgDeadLetterHistory, pgImportHistory, pgRunHistory} from './history.js'
import {ensurePgEntitySchema, listPgEntities, loadPgEntityTable, type PgEntityTable} from './entity-table.js'
import {pgAssociations, pgLiveIds, pgMergedIds, pgPropertyNames, pgRawRecords, pgStatus} from './read.js'
import {insertNewRecords, mergeDistinct, writeMerges, writeRecords, type RunStatement} from './record-writer.js'
import type {PgSession, Sql} from './session.js'

/**
 * A one-statement fast path (insert-first, merges) that lost a race to another writer of the same
 * store: its check saw none of the page's ids, but a concurrent transaction inserted one first, so
 * the INSERT hit the unique key (23505) and, being its own transaction, changed nothing. null sends
 * the page down the looked-up path, as when the check itself finds an id.
 */
async function unlessRaced<T>(fast: Promise<T | null>): Promise<T | null> {
  try {
    return await fast
  } catch (err) {
    if ((err as {code?: string}).code === '23505') return null
    throw err
  }
}

/** NUL cannot be stored in PostgreSQL text: shown as \0 in free-form fields (dead-letter reasons). */
const noNul = (s: string): string => s.replace(/\0/g, '\\0')

export class PostgresStore implements SyncStore, StoreReader, ChangeFeed, PublishCursors, StoreHistory {
  private readonly tables = new Map<string, PgEntityTable>()
  private currentRunId: number | null = null
  /** a first edge load is under way (beginEdgeLoad found no edge): pages are tried insert-first */
  private edgeFirstLoad = false
  /** the edge load under way: whether it began on an empty table, and the edges it wrote (for endEdgeLoad's ANALYZE) */
  private edgeLoad = {first: false, written: 0}

  constructor(
    private readonly session: PgSession,
    /** the URL without its password */
    readonly location: string,
  ) {}

  get readonly(): boolean {
    return this.session.mode === 'read'
  }

  private assertWritable(): void {
    if (this.readonly) throw new CrmsyncError(`store ${this.location} is open read-only`, {suggestion: 'open it without {readonly: true} to write'})
  }

  /** The cached table of an entity, or null when the store does not have it. */
  async table(entity: string): Promise<PgEntityTable | null> {
    let t = this.tables.get(entity)
    if (!t) {
      const loaded = await loadPgEntityTable(this.session, entity)
      if (!loaded) return null
      this.tables.set(entity, (t = loaded))
    }
    return t
  }

  private async writableTable(entity: string): Promise<PgEntityTable> {
    const t = await this.table(entity)
    if (t) return t
    await this.ensureEntity({entity, properties: []})
    return (await this.table(entity))!
  }

  private async readTable(entity: string): Promise<PgEntityTable> {
    const t = await this.table(entity)
    if (t) return t
    const valid = [...(await listPgEntities(this.session)), ASSOCIATIONS_ENTITY]
    throw new UsageError(
      `unknown entity "${entity}" in store ${this.location}; valid: ${valid.join(', ')}`,
      `use one of ${valid.join(', ')}, or run \`crmsync sync ${entity}\` first if it is a configured object`,
      'UNKNOWN_ENTITY',
    )
  }

  async ensureEntity(spec: EntityTableSpec): Promise<void> {
    this.assertWritable()
    const changed = await this.session.tx((sql) => ensurePgEntitySchema(sql, spec.entity, spec.properties))
    if (changed || !this.tables.has(spec.entity)) {
      this.tables.delete(spec.entity)
      await this.table(spec.entity)
    }
  }

  private async saveCheckpoint(sql: Sql, stream: string, checkpoint: Checkpoint | null): Promise<void> {
    if (checkpoint === null) return
    await sql.query('INSERT INTO checkpoints (stream, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at', [
      stream,
      JSON.stringify(checkpoint),
    ])
  }

  /** One statement, its own transaction (the insert-first and merge paths of record-writer.ts). */
  private readonly statement: RunStatement = (sql, params) => this.session.statement(sql, params)

  async applyRecords(stream: string, entity: string, records: CrmRecord[], checkpoint: Checkpoint | null): Promise<PageCounts> {
    this.assertWritable()
    const t = await this.writableTable(entity)
    if (t.insertFirst) {
      const counts = await unlessRaced(insertNewRecords(this.statement, t, stream, records, checkpoint === null ? null : JSON.stringify(checkpoint)))
      if (counts) return counts
      // an id of the page is stored already: mostly known ids from here on, look up first again
      if (records.length > 0) t.insertFirst = false
    }
    return this.session.tx(async (sql) => {
      const counts = await writeRecords(sql, t, records)
      await this.saveCheckpoint(sql, stream, checkpoint)
      return counts
    })
  }

  async applyMerges(stream: string, entity: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: Checkpoint | null): Promise<PageCounts> {
    this.assertWritable()
    const t = await this.writableTable(entity)
    const counts = merges.length > 0 ? await unlessRaced(mergeDistinct(this.statement, t, stream, merges, checkpoint === null ? null : JSON.stringify(checkpoint))) : null
    if (counts) return counts
    return this.session.tx(async (sql) => {
      const counts = await writeMerges(sql, t, merges)
      await this.saveCheckpoint(sql, stream, checkpoint)
      return counts
    })
  }

  async replaceAssociations(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): Promise<PageCounts> {
    this.assertWritable()
    const counts = await this.writeEdges(stream, fromEntity, toEntity, fromIds, rows, checkpoint)
    this.edgeLoad.written += counts.inserted + counts.updated + counts.deleted
    return counts
  }

  private async writeEdges(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): Promise<PageCounts> {
    if (this.edgeFirstLoad) {
      const counts = await unlessRaced(insertNewAssociations(this.statement, stream, fromEntity, toEntity, fromIds, rows, checkpoint === null ? null : JSON.stringify(checkpoint)))
      if (counts) return counts
      this.edgeFirstLoad = false // edges of the page are stored already: look them up first from here on
    }
    return this.session.tx(async (sql) => {
      const counts = await writeAssociations(sql, fromEntity, toEntity, fromIds, rows)
      await this.saveCheckpoint(sql, stream, checkpoint)
      return counts
    })
  }

  /**
   * A full associations load begins: when the edge table is empty (a first load), drop its to-side
   * index, which every inserted edge would otherwise update at a random place (`endEdgeLoad`
   * builds it in one sorted pass), and write pages insert-first (association-writer.ts). After a
   * crash in between, the rerun goes on without the index (the table is not empty: no insert-first)
   * and builds it at its end. Deleting edges without it is correct, only slower (a scan).
   */
  async beginEdgeLoad(): Promise<void> {
    this.assertWritable()
    this.edgeFirstLoad = false
    this.edgeLoad = {first: false, written: 0}
    if (this.session.mode === 'dry') return // a dry run changes no schema
    const empty = (await this.session.query('SELECT 1 FROM associations LIMIT 1')).rowCount === 0
    if (!empty) return
    await this.session.query(EDGE_TO_INDEX.drop)
    this.edgeFirstLoad = true
    this.edgeLoad.first = true
  }

  /**
   * The associations stream finished: make sure the to-side edge index exists, and give the planner
   * of later runs statistics when the table changed substantially (./edge-stats.ts).
   */
  async endEdgeLoad(): Promise<void> {
    this.assertWritable()
    this.edgeFirstLoad = false
    if (this.session.mode === 'dry') return
    await this.session.query(EDGE_TO_INDEX.create)
    await analyzeEdgesIfChanged(this.session, this.edgeLoad.first, this.edgeLoad.written)
  }

  async getCheckpoint(stream: string): Promise<Checkpoint | null> {
    const r = await this.session.query<{value: string}>('SELECT value FROM checkpoints WHERE stream = $1', [stream])
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as Checkpoint) : null
  }

  async setCheckpoint(stream: string, checkpoint: Checkpoint | null): Promise<void> {
    this.assertWritable()
    if (checkpoint === null) await this.session.query('DELETE FROM checkpoints WHERE stream = $1', [stream])
    else await this.session.tx((sql) => this.saveCheckpoint(sql, stream, checkpoint))
  }

  async *liveIds(entity: string): AsyncGenerator<string> {
    const t = await this.table(entity)
    if (t) yield* pgLiveIds(this.session, t)
  }

  async addDeadLetter(entry: DeadLetter): Promise<void> {
    this.assertWritable()
    await this.session.query('INSERT INTO dead_letters (run_id, stream, record_id, payload, reason, created_at) VALUES ($1, $2, $3, $4, $5, now())', [
      entry.runId ?? this.currentRunId,
      entry.stream,
      entry.recordId,
      entry.payload === undefined ? null : JSON.stringify(entry.payload),
      noNul(entry.reason),
    ])
  }

  async startRun(command: string, dryRun: boolean): Promise<number> {
    this.assertWritable()
    const r = await this.session.query<{id: number}>(`INSERT INTO runs (command, started_at, status, dry_run) VALUES ($1, now(), 'running', $2) RETURNING id`, [command, dryRun])
    this.currentRunId = r.rows[0].id
    return this.currentRunId
  }

  /** Claim a stream against other processes (an advisory lock; a dry run claims nothing). */
  async claimStream(stream: string, options: {wait: boolean; signal?: AbortSignal}): Promise<StreamClaim | null> {
    if (this.session.mode !== 'write') return {doneElsewhere: false, release: () => undefined}
    return claimPgStream(this.session, stream, this.currentRunId, options)
  }

  async finishRun(runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): Promise<void> {
    this.assertWritable()
    const sets: string[] = []
    const values: unknown[] = []
    for (const [key, value] of Object.entries({finishedAt: new Date().toISOString(), ...patch})) {
      const column = PATCH_COLUMNS[key] // column names from a fixed list, never from input
      if (!column || value === undefined) continue
      values.push(key === 'counts' ? JSON.stringify(value) : typeof value === 'string' ? noNul(value) : value)
      sets.push(`${column} = $${values.length}`)
    }
    values.push(runId)
    await this.session.query(`UPDATE runs SET ${sets.join(', ')} WHERE id = $${values.length}`, values)
    if (patch.status === 'ok') await pgPruneTombstones(this.session) // at the end of every sync too: a store never published keeps none (./tombstones.ts)
  }

  entities(): Promise<string[]> {
    return listPgEntities(this.session)
  }

  async columns(entity: string): Promise<string[] | null> {
    return (await this.table(entity))?.columns.map((c) => c.property) ?? null
  }

  async columnTypes(entity: string): Promise<ColumnSpec[] | null> {
    return (await this.table(entity))?.columns.map(({property, type}) => ({property, type})) ?? null
  }

  async *mergedIds(entity: string): AsyncGenerator<MergedId> {
    yield* pgMergedIds(this.session, await this.readTable(entity))
  }

  async propertyNames(entity: string): Promise<string[]> {
    return pgPropertyNames(this.session, await this.readTable(entity))
  }

  async *rawRecords(entity: string, options?: IterateOptions): AsyncGenerator<StoredRecordRow> {
    yield* pgRawRecords(this.session, await this.readTable(entity), options)
  }

  async *records(entity: string, options?: IterateOptions): AsyncGenerator<CrmRecord> {
    for await (const row of this.rawRecords(entity, options)) yield rowToRecord(row)
  }

  associations(filter?: {fromEntity?: string; toEntity?: string}): AsyncGenerator<AssociationEdge> {
    return pgAssociations(this.session, filter)
  }

  status(): Promise<SyncStatusResult> {
    return pgStatus(this.session, this.location, (e) => this.table(e))
  }

  /** The safe high-water mark of the change sequence (./change-seq.ts): every change up to it is committed. */
  changeSeq(): Promise<number> {
    return pgChangeSeq(this.session)
  }

  async *changedRecords(entity: string, sinceSeq: number, edgesWith?: string[]): AsyncGenerator<ChangedRecordRow> {
    yield* pgChangedRecords(this.session, await this.readTable(entity), sinceSeq, edgesWith)
  }

  relatedIds(entity: string, ids: string[], other: string): Promise<Map<string, string[]>> {
    return pgRelatedIds(this.session, entity, ids, other)
  }

  publishCursor(target: string): Promise<number | null> {
    return pgPublishCursor(this.session, target)
  }

  async savePublishCursor(target: string, seq: number): Promise<void> {
    this.assertWritable()
    await pgSavePublishCursor(this.session, target, seq)
  }

  pruneTombstones(): Promise<number> {
    this.assertWritable()
    return pgPruneTombstones(this.session)
  }

  runHistory(): AsyncGenerator<RunRecord> {
    return pgRunHistory(this.session)
  }

  deadLetterHistory(): AsyncGenerator<StoredDeadLetter> {
    return pgDeadLetterHistory(this.session)
  }

  async importHistory(runs: RunRecord[], deadLetters: StoredDeadLetter[], stream: string, checkpoint: Checkpoint): Promise<void> {
    this.assertWritable()
    await this.session.tx(async (sql) => {
      await pgImportHistory(sql, runs, deadLetters)
      await this.saveCheckpoint(sql, stream, checkpoint)
    })
  }

  /** Close every connection (a dry run's transaction is rolled back: nothing it wrote stays). */
  close(): Promise<void> {
    return this.session.close()
  }
}
