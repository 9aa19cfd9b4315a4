/**
 * The SQLite publish target (small installs). The file must exist (crmsync never creates the
 * application's database); foreign keys are enforced. The one-publisher lock is a row in a table of
 * crmsync's own, `crmsync_publish_lock`, naming the holder's host and pid: a lock left by a killed
 * publisher on this host is taken over.
 */
import fs from 'node:fs'
import os from 'node:os'
import Database, {type Statement} from 'better-sqlite3'
import {UsageError} from '../../core/errors.js'
import {type ColumnFamily, type LockHolder, type PublishTarget, qi, type SourceColumn, type SqlPart, type TableInfo, type TargetTx} from './target.js'

function familyOf(declared: string): ColumnFamily {
  const t = declared.toLowerCase()
  if (t.includes('int')) return 'integer'
  if (/char|clob|text/.test(t)) return 'text'
  if (t.includes('bool')) return 'boolean'
  if (/datetime|timestamp/.test(t)) return 'timestamp'
  if (t === 'date') return 'date'
  if (/decimal|numeric|real|floa|doub/.test(t)) return 'numeric'
  return 'other'
}

/** An integer as a JSON number when it is one exactly (primary keys), else as it is (SQLite compares by affinity). */
function jsonInteger(v: string): number | string {
  const n = Number(v)
  return Number.isSafeInteger(n) && String(n) === v ? n : v
}

/** Rows as a row source: one JSON array of rows, `json_each`, columns c0, c1, ... */
function source(alias: string, cols: SourceColumn[], rows: unknown[][]): SqlPart {
  const json = JSON.stringify(rows.map((r) => r.map((v, i) => (cols[i].family === 'integer' && typeof v === 'string' ? jsonInteger(v) : v))))
  return {sql: `(SELECT ${cols.map((_, i) => `json_extract(value, '$[${i}]') AS c${i}`).join(', ')} FROM json_each(?)) AS ${alias}`, params: [json]}
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Open an existing SQLite file as the publish target. */
export function openSqliteTarget(path: string): PublishTarget {
  if (!fs.existsSync(path))
    throw new UsageError(
      `publish target ${path} does not exist`,
      "pass the application's existing SQLite file with --to (crmsync never creates the application's tables); for --schema NAME, create the shadow file with the same tables first",
    )
  let writable = true
  try {
    fs.accessSync(path, fs.constants.W_OK)
  } catch {
    writable = false
  }
  let db: Database.Database
  try {
    db = new Database(path, {fileMustExist: true, readonly: !writable})
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get()
  } catch (e) {
    throw new UsageError(`cannot open the publish target ${path}: ${(e as Error).message}`, 'pass a SQLite file or a postgres:// URL with --to')
  }
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  const cache = new Map<string, Statement>()
  let locked = false
  const run = async (sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> => {
    let stmt = cache.get(sql)
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)))
    if (stmt.reader) return stmt.all(...params) as Array<Record<string, unknown>>
    stmt.run(...params)
    return []
  }
  const append = async (table: string, columns: Array<SourceColumn & {name: string}>, rows: unknown[][]): Promise<void> => {
    if (rows.length === 0) return
    const src = source('v', columns, rows)
    await run(`INSERT INTO ${qi(table)} (${columns.map((c) => qi(c.name)).join(', ')}) SELECT ${columns.map((_, i) => `v.c${i}`).join(', ')} FROM ${src.sql}`, src.params)
  }
  return {
    dialect: 'sqlite',
    describe: path,
    cursorKey: `sqlite:${path}`,
    ref: qi,
    byteOrder: '',
    async table(name: string): Promise<TableInfo | null> {
      const cols = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)').all(name) as Array<{name: string; type: string; nn: number; pk: number}>
      if (cols.length === 0) return null
      const unique = new Set(cols.filter((c) => c.pk === 1 && cols.filter((x) => x.pk > 0).length === 1).map((c) => c.name))
      for (const ix of db.prepare('SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 AND partial = 0').all(name) as Array<{name: string}>) {
        const parts = db.prepare('SELECT name FROM pragma_index_info(?)').all(ix.name) as Array<{name: string}>
        if (parts.length === 1) unique.add(parts[0].name)
      }
      return {
        name,
        columns: new Map(cols.map((c) => [c.name, {name: c.name, family: familyOf(c.type), declared: c.type, notNull: c.nn === 1 || c.pk > 0}])),
        unique,
        missingPrivileges: writable ? [] : ['INSERT', 'UPDATE', 'DELETE'],
      }
    },
    async tryLock(): Promise<LockHolder | null> {
      db.exec('CREATE TABLE IF NOT EXISTS crmsync_publish_lock (id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL)')
      const take = db.transaction(() => {
        const held = db.prepare('SELECT host, pid, started_at FROM crmsync_publish_lock WHERE id = 1').get() as {host: string; pid: number; started_at: string} | undefined
        if (held && (held.host !== os.hostname() || (held.pid !== process.pid && alive(held.pid)))) return held
        db.prepare('INSERT OR REPLACE INTO crmsync_publish_lock (id, host, pid, started_at) VALUES (1, ?, ?, ?)').run(os.hostname(), process.pid, new Date().toISOString())
        return null
      })
      const held = take.immediate()
      if (!held) {
        locked = true
        return null
      }
      return {
        who: `pid ${held.pid} on ${held.host}, since ${held.started_at}`,
        stale: `if that process is gone (another host), delete the row of crmsync_publish_lock in ${path}`,
      }
    },
    query: run,
    append,
    async transaction<T>(fn: (tx: TargetTx) => Promise<T>): Promise<T> {
      db.exec('BEGIN IMMEDIATE')
      try {
        const out = await fn({query: run, append})
        db.exec('COMMIT')
        return out
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw e
      }
    },
    param(family: ColumnFamily, value: string | null): unknown {
      if (value === null) return null
      if (family === 'boolean' || (family === 'integer' && (value === 'true' || value === 'false'))) return value === 'true' ? 1 : 0
      if (family === 'timestamp') return value.replace('T', ' ').replace(/Z$/, '') // Django's SQLite form, UTC
      return value
    },
    inList(expr: string, family: 'text' | 'integer', values: string[]): SqlPart {
      return {sql: `${expr} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(family === 'integer' ? values.map(jsonInteger) : values)]}
    },
    rowSource: source,
    async close(): Promise<void> {
      if (!db.open) return
      if (locked) db.prepare('DELETE FROM crmsync_publish_lock WHERE id = 1 AND pid = ?').run(process.pid)
      db.close()
    },
  }
}
