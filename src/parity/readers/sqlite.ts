/** A read-only legacy SQLite database (small installs): reads the mapped `crm_*` tables. */
import Database from 'better-sqlite3'
import {UsageError} from '../../core/errors.js'
import {isCorruptSqlite} from '../../store/corrupt.js'
import {BATCH, type LegacyRecord, type LegacySource, type TableSpec} from './types.js'

const q = (id: string): string => `"${id.replace(/"/g, '""')}"`

/** better-sqlite3 with safeIntegers gives every INTEGER as a bigint: exact ones back to numbers, the rest (past 2^53) as decimal text. */
const exact = (v: unknown): unknown => (typeof v === 'bigint' ? (v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString()) : v)

/**
 * The rows of `stmt` as null-prototype objects, exact integers: read as arrays (raw mode) because
 * better-sqlite3's row objects drop a column named `__proto__`.
 */
function* rowsOf(stmt: Database.Statement): Generator<Record<string, unknown>> {
  const names = stmt.columns().map((c) => c.name)
  for (const values of stmt.safeIntegers(true).raw(true).iterate() as IterableIterator<unknown[]>) {
    const row = Object.create(null) as Record<string, unknown>
    for (let i = 0; i < names.length; i++) row[names[i]] = exact(values[i])
    yield row
  }
}

/** Open a legacy SQLite file as a LegacySource (opened read-only). */
export function sqliteSource(path: string): LegacySource {
  return {
    describe: path,
    async *batches(tables: TableSpec[]) {
      let db: Database.Database
      try {
        db = new Database(path, {readonly: true, fileMustExist: true})
        db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get()
      } catch (e) {
        throw new UsageError(`cannot open legacy SQLite database ${path}: ${(e as Error).message}`, 'pass a SQLite file or another snapshot form with --legacy')
      }
      try {
        const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?")
        const need = (table: string): void => {
          if (!exists.get(table)) throw new UsageError(`legacy SQLite database ${path} has no table ${table}`, 'fix the table name in the mapping (entities.<entity>.table)')
        }
        for (const t of tables) {
          need(t.table)
          let batch: LegacyRecord[] = []
          for (const row of rowsOf(db.prepare(`SELECT * FROM ${q(t.table)}`))) {
            const id = row.id
            const fields = Object.create(null) as Record<string, unknown>
            for (const k of Object.keys(row)) if (k !== 'id') fields[k] = row[k]
            if (id === undefined) throw new UsageError(`legacy table ${t.table} has no "id" column (the legacy primary key)`, 'point the mapping at the Django table')
            batch.push({model: t.model, pk: String(id), fields})
            if (batch.length >= BATCH) {
              yield batch
              batch = []
            }
          }
          for (const m of t.m2m) {
            need(m.table)
            for (const row of rowsOf(db.prepare(`SELECT ${q(m.sourceColumn)} AS s, ${q(m.targetColumn)} AS t FROM ${q(m.table)}`))) {
              batch.push({model: t.model, pk: String(row.s), fields: {[m.field]: [row.t]}, m2mOnly: true})
              if (batch.length >= BATCH) {
                yield batch
                batch = []
              }
            }
          }
          if (batch.length > 0) yield batch
        }
      } catch (e) {
        // not the store's damage: name the legacy file, or the CLI would blame --db
        if (isCorruptSqlite(e))
          throw new UsageError(`legacy SQLite database ${path} is damaged: ${(e as Error).message}`, 'export the legacy database again, or pass another snapshot form with --legacy')
        throw e
      } finally {
        db.close()
      }
    },
  }
}
