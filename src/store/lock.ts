/**
 * One sync at a time per store. `<db>.lock` is a tiny SQLite file whose write lock the running sync
 * holds for its whole run (BEGIN IMMEDIATE, never committed), with its pid, start time and command in
 * a committed row that others can still read. The operating system drops the lock when the process
 * ends in any way, kill -9 included, so a lock left by a dead process is simply taken over.
 */
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import Database, {type Database as Db} from 'better-sqlite3'
import {CrmsyncError, EXIT} from '../core/errors.js'

/** Who holds a store's lock. */
export interface LockHolder {
  pid: number
  startedAt: string
  command: string
}

export interface StoreLock {
  /** the lock file, `<db>.lock` */
  file: string
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

function readHolder(db: Db): LockHolder | null {
  try {
    const row = db.prepare('SELECT pid, started_at AS startedAt, command FROM holder WHERE id = 1').get() as LockHolder | undefined
    return row ?? null
  } catch {
    return null // no row yet, or the holder is committing its row this very instant
  }
}

/**
 * Take the lock of the store at `dbPath` (exit 1 naming the holder when another process has it,
 * unless `wait`). A lock file that cannot be created (missing folder, read-only) is no lock at all:
 * opening the store then reports the real problem.
 */
export async function acquireStoreLock(dbPath: string, opts: LockOptions = {}): Promise<StoreLock> {
  const file = `${path.resolve(dbPath)}.lock`
  let db: Db
  try {
    db = new Database(file, {timeout: 0})
  } catch {
    return {file, release: () => undefined}
  }
  const me: LockHolder = {pid: process.pid, startedAt: new Date().toISOString(), command: opts.command ?? 'sync'}
  let announced = false
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE')
    } catch (e) {
      if (!busy(e)) {
        db.close()
        throw e
      }
      const holder = readHolder(db)
      if (!opts.wait) {
        db.close()
        throw new CrmsyncError(`store ${path.resolve(dbPath)} is in use by another crmsync process${holder ? ` (pid ${holder.pid}, "${holder.command}", started ${holder.startedAt})` : ''}`, {
          exit: EXIT.failure,
          code: 'STORE_LOCKED',
          suggestion: 'wait for that run to finish, or pass --wait to start when it does; two syncs of one store would pay for every API call twice',
        })
      }
      if (!announced) opts.onWait?.(holder)
      announced = true
      await sleep(opts.pollMs ?? 1000)
      continue
    }
    // we hold the write lock: publish who we are (commit), take the lock again, and check that nobody
    // slipped in between (if someone did, the next round shows them as the holder)
    try {
      db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, started_at TEXT NOT NULL, command TEXT NOT NULL)')
      db.prepare('INSERT OR REPLACE INTO holder (id, pid, started_at, command) VALUES (1, ?, ?, ?)').run(me.pid, me.startedAt, me.command)
      db.exec('COMMIT')
      db.exec('BEGIN IMMEDIATE')
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK')
      if (busy(e)) continue
      db.close()
      throw e
    }
    if (readHolder(db)?.pid !== me.pid) {
      db.exec('ROLLBACK')
      continue
    }
    return {
      file,
      release() {
        if (!db.open) return
        if (db.inTransaction) db.exec('ROLLBACK')
        db.close()
      },
    }
  }
}
