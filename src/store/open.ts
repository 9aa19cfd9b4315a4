/**
 * Open (and create or migrate) a crmsync SQLite store, with errors that name the path and the fix.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database, {type Database as Db} from 'better-sqlite3'
import {CrmsyncError, EXIT} from '../core/errors.js'
import type {ChangeFeed, PublishCursors, StoreHistory, StoreReader} from '../core/store-port.js'
import {corruptStoreError, isCorruptSqlite} from './corrupt.js'
import {registerFunctions} from './entity-table.js'
import {APPLICATION_ID, assertNotNewer, migrate, SCHEMA_VERSION} from './migrations.js'
import {SqliteStore} from './sqlite-store.js'
import {isPostgresUrl} from './postgres/location.js'

export interface OpenStoreOptions {
  /** open without creating, migrating or writing anything (export, status, dry runs) */
  readonly?: boolean
}

const FIX_DB = 'pass --db PATH (or set CRMSYNC_DB) to a crmsync store'

function inputError(message: string, suggestion: string, code: string): CrmsyncError {
  return new CrmsyncError(message, {exit: EXIT.usage, suggestion, code})
}

/**
 * Check that `file` can be used as a store: an existing readable (and, unless `readonly`, writable)
 * file, or a missing file in an existing writable directory (writable mode only).
 */
export function checkStorePath(file: string, readonly: boolean): void {
  let stat: fs.Stats | undefined
  try {
    stat = fs.statSync(file)
  } catch {
    stat = undefined
  }
  if (stat?.isDirectory()) throw inputError(`store path ${file} is a directory, not a file`, `${FIX_DB}, e.g. ${path.join(file, 'crmsync.db')}`, 'STORE_PATH')
  if (!stat) {
    if (readonly) throw inputError(`no crmsync store at ${file}`, `run \`crmsync sync all\` to create it, or ${FIX_DB}`, 'STORE_MISSING')
    const dir = path.dirname(file)
    if (!fs.existsSync(dir)) throw inputError(`cannot create store ${file}: directory ${dir} does not exist`, `create ${dir} first, or ${FIX_DB}`, 'STORE_PATH')
    try {
      fs.accessSync(dir, fs.constants.W_OK)
    } catch {
      throw inputError(`cannot create store ${file}: directory ${dir} is not writable`, `fix the permissions of ${dir}, or ${FIX_DB}`, 'STORE_PATH')
    }
    return
  }
  try {
    fs.accessSync(file, readonly ? fs.constants.R_OK : fs.constants.R_OK | fs.constants.W_OK)
  } catch {
    throw inputError(`store ${file} is not ${readonly ? 'readable' : 'readable and writable'}`, `fix its permissions, or ${FIX_DB}`, 'STORE_PATH')
  }
}

function notAStore(file: string, why: string): CrmsyncError {
  return inputError(`${file} is not a crmsync store (${why})`, `${FIX_DB}; \`crmsync sync all\` creates one`, 'NOT_A_STORE')
}

function inspect(db: Db, file: string, readonly: boolean): void {
  let appId: number
  let tables: number
  try {
    appId = db.pragma('application_id', {simple: true}) as number
    tables = (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as {n: number}).n
  } catch (err) {
    if (isCorruptSqlite(err)) throw corruptStoreError(file, err)
    throw notAStore(file, (err as Error).message)
  }
  if (appId !== APPLICATION_ID && tables > 0) throw notAStore(file, 'it is a SQLite database written by another program')
  // before anything writes (WAL switch, migrations): a newer store is refused with its file untouched
  const version = assertNotNewer(db, file)
  if (readonly) {
    if (appId !== APPLICATION_ID) throw notAStore(file, 'the file is empty')
    if (version < SCHEMA_VERSION) {
      throw inputError(`store ${file} has schema version ${version}; this crmsync needs ${SCHEMA_VERSION}`, 'run any `crmsync sync` command once to migrate it', 'STORE_OLD')
    }
  }
}

/**
 * Open the store at `file`. Writable (default): created if missing, WAL mode, foreign keys on,
 * migrated to the current schema. Read-only: must exist and be current; nothing is created.
 * Throws CrmsyncError (exit 2) naming the path and the fix when it cannot be used.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): SqliteStore {
  const readonly = options.readonly === true
  const resolved = path.resolve(file)
  checkStorePath(resolved, readonly)
  let db: Db
  try {
    db = new Database(resolved, {readonly, fileMustExist: readonly})
  } catch (err) {
    throw inputError(`cannot open store ${resolved}: ${(err as Error).message}`, FIX_DB, 'STORE_OPEN')
  }
  try {
    db.pragma('busy_timeout = 5000')
    inspect(db, resolved, readonly)
    if (!readonly) {
      db.pragma('journal_mode = WAL')
      // NORMAL in WAL mode: a commit is not fsync'ed, the WAL is at checkpoints. A killed process
      // (kill -9, crash) loses no committed transaction; only an OS crash or power loss can roll
      // back the last few, and the store stays consistent either way (the page and its checkpoint
      // commit together, so a rerun redoes exactly what was lost).
      db.pragma('synchronous = NORMAL')
      // 4 MB page cache (was 32 MB, then 8 MB): writes are appends in key order and per-page
      // look-ups of ascending ids, which a small cache serves as fast (measured: 100k-contact sync
      // all no slower at 8 MB than at 32 MB, 30 MB less RSS; 4 MB: about 4 MB less again at 50k
      // and 100k, docs/sync.md Memory)
      db.pragma('cache_size = -4000')
      db.pragma('foreign_keys = ON')
      migrate(db, resolved)
    }
    registerFunctions(db)
    return new SqliteStore(db, resolved, readonly)
  } catch (err) {
    db.close()
    if (err instanceof CrmsyncError) throw err
    if (isCorruptSqlite(err)) throw corruptStoreError(resolved, err)
    throw new CrmsyncError(`cannot use store ${resolved}: ${(err as Error).message}`, {suggestion: FIX_DB, code: 'STORE_OPEN'})
  }
}

/**
 * The store at `location` (a SQLite file, or a postgres:// URL) for publish: read through the port,
 * plus its change feed and publish cursors. Opened writable, so migrated; never created.
 */
export async function openPublishStore(location: string): Promise<StoreReader & ChangeFeed & PublishCursors> {
  if (isPostgresUrl(location)) return (await import('./postgres/open.js')).openPostgresStore(location, {mustExist: true})
  checkStorePath(path.resolve(location), true) // publish never creates a store
  return openStore(location)
}

/**
 * The store at `location` (a SQLite file, or a postgres:// URL), opened for reading only: nothing
 * is created, migrated or written. PostgreSQL code is loaded only when a URL asks for it.
 */
export async function openStoreReader(location: string): Promise<StoreReader & StoreHistory> {
  if (isPostgresUrl(location)) return (await import('./postgres/open.js')).openPostgresStore(location, {readonly: true})
  return openStore(location, {readonly: true})
}
