/**
 * One sync at a time per store. `<db>.lock` is a tiny SQLite file whose write lock the running sync
 * holds for its whole run (BEGIN IMMEDIATE, never committed), with its pid, start time and command in
 * a committed row that others can still read. The operating system drops the lock when the process
 * ends in any way, kill -9 included, so a lock left by a dead process is simply taken over. The holder
 * deletes the file when it is done (while still holding the lock, so a process that locked the old,
 * deleted file notices and starts over on the new one).
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import Database, {type Database as Db} from 'better-sqlite3'
import {CrmsyncError, EXIT} from '../core/errors.js'
import {checkStorePath} from './open.js'
import {isPostgresUrl} from './postgres/location.js'

/** Who holds a store's lock. */
export interface LockHolder {
  pid: number
  startedAt: string
  command: string
}

export interface StoreLock {
  /** the lock file, `<db>.lock`; null for a PostgreSQL store, which takes no lock file */
  file: string | null
  release(): void
}

export interface LockOptions {
  /** queue behind the holder instead of failing (`--wait`) */
  wait?: boolean
  /** shown to a process that finds the lock held, e.g. "sync all" */
  command?: string
  /** while waiting, how often to try again (default 1000 ms) */
  pollMs?: number
  /** called once when the lock is held by another process and `wait` is set */
  onWait?: (holder: LockHolder | null) => void
}

const busy = (e: unknown): boolean => /SQLITE_BUSY|SQLITE_LOCKED/.test(String((e as {code?: string}).code))

function readHolder(db: Db): (LockHolder & {nonce: string}) | null {
  try {
    return (db.prepare('SELECT pid, started_at AS startedAt, command, nonce FROM holder WHERE id = 1').get() as (LockHolder & {nonce: string}) | undefined) ?? null
  } catch {
    return null // no row yet, or the holder is committing its row this very instant
  }
}

/** The holder row as seen through the path now (a fresh connection), or null. */
function holderAtPath(file: string): (LockHolder & {nonce: string}) | null {
  let db: Db
  try {
    db = new Database(file, {readonly: true, fileMustExist: true, timeout: 0})
  } catch {
    return null
  }
  try {
    return readHolder(db)
  } finally {
    db.close()
  }
}

/** One attempt on an open lock file: 'held' (ours), 'busy' (another holder), or 'retry' (reopen). */
function tryLock(db: Db, file: string, me: LockHolder & {nonce: string}): 'held' | 'busy' | 'retry' {
  try {
    db.exec('BEGIN IMMEDIATE')
  } catch (e) {
    if (busy(e)) return 'busy'
    throw e
  }
  // we hold the write lock: publish who we are (commit), take the lock again, and check that nobody
  // slipped in between (if someone did, the next round shows them as the holder)
  try {
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, started_at TEXT NOT NULL, command TEXT NOT NULL, nonce TEXT NOT NULL)')
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, started_at, command, nonce) VALUES (1, ?, ?, ?, ?)').run(me.pid, me.startedAt, me.command, me.nonce)
    db.exec('COMMIT')
    db.exec('BEGIN IMMEDIATE')
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK')
    if (busy(e)) return 'busy'
    throw e
  }
  // ours on this connection, and the file at the path is the one this connection locked (not a
  // file a releasing holder deleted while we were opening it)
  if (readHolder(db)?.nonce === me.nonce && holderAtPath(file)?.nonce === me.nonce) return 'held'
  db.exec('ROLLBACK')
  return 'retry'
}

/**
 * Take the lock of the store at `dbPath` (exit 1 naming the holder when another process has it,
 * unless `wait`). An unusable store path is refused first (exit 2, as openStore would); a lock file
 * that still cannot be created is no lock at all, and opening the store reports the problem. A
 * PostgreSQL store takes no lock here: its processes coordinate through advisory-lock stream claims.
 */
export async function acquireStoreLock(dbPath: string, opts: LockOptions = {}): Promise<StoreLock> {
  if (isPostgresUrl(dbPath)) return {file: null, release: () => undefined}
  checkStorePath(path.resolve(dbPath), false)
  const file = `${path.resolve(dbPath)}.lock`
  const me = {pid: process.pid, startedAt: new Date().toISOString(), command: opts.command ?? 'sync', nonce: randomBytes(8).toString('hex')}
  let announced = false
  for (;;) {
    let db: Db
    try {
      db = new Database(file, {timeout: 0})
    } catch {
      return {file, release: () => undefined}
    }
    let state: 'held' | 'busy' | 'retry'
    try {
      db.pragma('synchronous = OFF') // the row need not survive a power cut: no fsync per sync run
      state = tryLock(db, file, me)
    } catch (e) {
      db.close()
      throw e
    }
    if (state === 'held') {
      return {
        file,
        release() {
          if (!db.open) return
          fs.rmSync(file, {force: true}) // while still holding the lock: see the file comment
          if (db.inTransaction) db.exec('ROLLBACK')
          db.close()
        },
      }
    }
    const holder = state === 'busy' ? readHolder(db) : null
    db.close()
    if (state === 'retry') continue
    if (!opts.wait) {
      throw new CrmsyncError(`store ${path.resolve(dbPath)} is in use by another crmsync process${holder ? ` (pid ${holder.pid}, "${holder.command}", started ${holder.startedAt})` : ''}`, {
        exit: EXIT.failure,
        code: 'STORE_LOCKED',
        suggestion: 'wait for that run to finish, or pass --wait to start when it does; two syncs of one store would pay for every API call twice',
      })
    }
    if (!announced) opts.onWait?.(holder ? {pid: holder.pid, startedAt: holder.startedAt, command: holder.command} : null)
    announced = true
    await sleep(opts.pollMs ?? 1000)
  }
}
