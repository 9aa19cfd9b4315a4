/**
 * A `SyncStore` for `--dry-run`: it reads the real store READ-ONLY and writes nothing to it (the
 * file stays byte-identical, no -wal/-shm is left behind). Writes go to a throw-away scratch store
 * in the temp folder, into which the touched rows of the real store are copied first, so the counts
 * (inserted / updated / unchanged / deleted) come from exactly the code path a real run uses.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type {AssociationRow, CrmRecord} from '../core/records.js'
import {quoteIdent} from './identifiers.js'
import {compareIds} from '../core/ids.js'
import {checkStorePath, openStore} from './open.js'
import type {SqliteStore} from './sqlite-store.js'
import type {Checkpoint, DeadLetter, EntityTableSpec, PageCounts, RunRecord, SyncStore} from '../core/store-port.js'

const SIDE_FILES = ['-wal', '-shm']

/** Dry-run store over the store file at `file` (which may not exist yet). */
export class DryRunStore implements SyncStore {
  private readonly real: SqliteStore | null
  private readonly scratch: SqliteStore
  private readonly scratchDir: string
  private readonly sideFilesBefore: Set<string>
  private readonly touchedStreams = new Set<string>()
  private deadLetters = 0
  private lastRun: Partial<RunRecord> = {}

  constructor(readonly file: string) {
    const resolved = path.resolve(file)
    this.sideFilesBefore = new Set(SIDE_FILES.filter((s) => fs.existsSync(resolved + s)))
    if (fs.existsSync(resolved)) this.real = openStore(resolved, {readonly: true})
    else {
      checkStorePath(resolved, false) // the same errors a real run would give, without creating anything
      this.real = null
    }
    this.scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-dry-run-'))
    this.scratch = openStore(path.join(this.scratchDir, 'scratch.db'))
    this.scratch.db.exec('CREATE TABLE dry_copied_edges (from_entity TEXT, from_id TEXT, to_entity TEXT, PRIMARY KEY (from_entity, from_id, to_entity))')
    this.file = resolved
  }

  /** Dead letters a real run would have written. */
  get deadLetterCount(): number {
    return this.deadLetters
  }

  /** What the run reported through finishRun (kept in memory only). */
  get runSummary(): Partial<RunRecord> {
    return this.lastRun
  }

  private scratchTable(entity: string) {
    return this.scratch.table(entity) ?? (this.scratch.ensureEntity({entity, properties: []}), this.scratch.table(entity)!)
  }

  /** Copy the real rows of `ids` that the scratch store does not hold yet. */
  private copyRows(entity: string, ids: Iterable<string>): void {
    const realTable = this.real?.table(entity)
    if (!realTable) return
    const t = this.scratchTable(entity)
    const has = this.scratch.db.prepare(`SELECT 1 FROM ${quoteIdent(t.table)} WHERE id = ?`)
    const read = this.real!.db.prepare(`SELECT id, created_at, updated_at, archived, archived_at, merged_into, properties, synced_at FROM ${quoteIdent(realTable.table)} WHERE id = ?`)
    const insert = this.scratch.db.prepare(
      `INSERT INTO ${quoteIdent(t.table)} (id, created_at, updated_at, archived, archived_at, merged_into, properties, synced_at) VALUES (@id, @created_at, @updated_at, @archived, @archived_at, @merged_into, @properties, @synced_at)`,
    )
    this.scratch.db.transaction(() => {
      for (const id of ids) {
        if (has.get(id)) continue
        const row = read.get(id)
        if (row) insert.run(row)
      }
    })()
  }

  private copyEdges(fromEntity: string, toEntity: string, fromIds: Iterable<string>): void {
    if (!this.real) return
    const mark = this.scratch.db.prepare('INSERT OR IGNORE INTO dry_copied_edges (from_entity, from_id, to_entity) VALUES (?, ?, ?)')
    const read = this.real.db.prepare('SELECT * FROM associations WHERE from_entity = ? AND from_id = ? AND to_entity = ?')
    const insert = this.scratch.db.prepare(
      'INSERT OR IGNORE INTO associations (from_entity, from_id, to_entity, to_id, type_id, category, label) VALUES (@from_entity, @from_id, @to_entity, @to_id, @type_id, @category, @label)',
    )
    // an edge to a record this dry run already tombstoned or merged away was dropped then (as a real run would have)
    const target = this.scratch.table(toEntity)
    const gone = target ? this.scratch.db.prepare(`SELECT 1 FROM ${quoteIdent(target.table)} WHERE id = ? AND (archived = 1 OR merged_into IS NOT NULL)`) : null
    this.scratch.db.transaction(() => {
      for (const id of fromIds) {
        if (mark.run(fromEntity, id, toEntity).changes === 0) continue
        for (const edge of read.all(fromEntity, id, toEntity) as Array<{to_id: string}>) {
          if (!gone?.get(edge.to_id)) insert.run(edge)
        }
      }
    })()
  }

  private touch(stream: string, checkpoint: Checkpoint | null): void {
    if (checkpoint !== null) this.touchedStreams.add(stream)
  }

  ensureEntity(spec: EntityTableSpec): void {
    this.scratch.ensureEntity(spec)
  }

  applyRecords(stream: string, entity: string, records: CrmRecord[], checkpoint: Checkpoint | null): PageCounts {
    this.copyRows(
      entity,
      records.map((r) => r.id),
    )
    this.touch(stream, checkpoint)
    return this.scratch.applyRecords(stream, entity, records, checkpoint)
  }

  applyMerges(stream: string, entity: string, merges: Array<{loserId: string; survivorId: string}>, checkpoint: Checkpoint | null): PageCounts {
    this.copyRows(
      entity,
      merges.map((m) => m.loserId),
    )
    this.touch(stream, checkpoint)
    return this.scratch.applyMerges(stream, entity, merges, checkpoint)
  }

  replaceAssociations(stream: string, fromEntity: string, toEntity: string, fromIds: string[], rows: AssociationRow[], checkpoint: Checkpoint | null): PageCounts {
    this.copyEdges(fromEntity, toEntity, new Set([...fromIds, ...rows.map((r) => r.fromId)]))
    this.touch(stream, checkpoint)
    return this.scratch.replaceAssociations(stream, fromEntity, toEntity, fromIds, rows, checkpoint)
  }

  beginEdgeLoad(): void {
    this.scratch.beginEdgeLoad()
  }

  endEdgeLoad(): void {
    this.scratch.endEdgeLoad()
  }

  getCheckpoint(stream: string): Checkpoint | null {
    if (this.touchedStreams.has(stream)) return this.scratch.getCheckpoint(stream)
    return this.real?.getCheckpoint(stream) ?? null
  }

  /** Live ids as the store would hold them after the dry run's writes (real rows overlaid by scratch rows). */
  *liveIds(entity: string): IterableIterator<string> {
    const real = this.real ? this.real.liveIds(entity) : [][Symbol.iterator]()
    const t = this.scratch.table(entity)
    if (!t) {
      yield* real
      return
    }
    const reader = new Database(this.scratch.path, {readonly: true, fileMustExist: true})
    try {
      const scratchRows = reader.prepare(`SELECT id, (archived = 0 AND merged_into IS NULL) AS live FROM ${quoteIdent(t.table)} ORDER BY length(id), id`).iterate() as IterableIterator<{
        id: string
        live: number
      }>
      let r = real.next()
      let s = scratchRows.next()
      while (!r.done || !s.done) {
        const order = r.done ? 1 : s.done ? -1 : compareIds(r.value, s.value.id)
        if (order < 0) {
          yield r.value as string
          r = real.next()
        } else {
          if (s.value.live) yield s.value.id
          if (order === 0) r = real.next()
          s = scratchRows.next()
        }
      }
    } finally {
      real.return?.()
      reader.close()
    }
  }

  addDeadLetter(_entry: DeadLetter): void {
    this.deadLetters++
  }

  startRun(_command: string, _dryRun: boolean): number {
    return 0
  }

  finishRun(_runId: number, patch: Partial<Omit<RunRecord, 'id' | 'command' | 'startedAt'>>): void {
    this.lastRun = {...this.lastRun, ...patch}
  }

  /** Close both stores, delete the scratch store and any side file the read-only open created. */
  close(): void {
    this.real?.close()
    this.scratch.close()
    fs.rmSync(this.scratchDir, {recursive: true, force: true})
    // A read-only open of a WAL-mode file creates -wal/-shm. Remove them only when they are ours:
    // absent before, and the WAL is empty (a concurrent writer would have written to it).
    const wal = this.file + '-wal'
    const created = !this.sideFilesBefore.has('-wal') && fs.existsSync(wal)
    if (created && fs.statSync(wal).size === 0) {
      for (const s of ['-wal', '-shm']) if (!this.sideFilesBefore.has(s)) fs.rmSync(this.file + s, {force: true})
    }
  }
}
