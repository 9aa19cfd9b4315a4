/** A store file damaged on disk (a torn copy, a bad sector, another program writing into it). */
import {CrmsyncError, EXIT} from '../core/errors.js'

/** True for SQLite's "database disk image is malformed" (SQLITE_CORRUPT*; a file that is no database at all is NOTADB, "not a store"). */
export function isCorruptSqlite(err: unknown): boolean {
  const code = (err as {code?: unknown} | null)?.code
  return typeof code === 'string' && /^SQLITE_CORRUPT/.test(code)
}

/** The error to show for a damaged store `file`: names the file and the way out (exit 1). */
export function corruptStoreError(file: string, err: unknown): CrmsyncError {
  return new CrmsyncError(`store ${file} is damaged: SQLite says "${(err as Error).message}"`, {
    exit: EXIT.failure,
    code: 'STORE_CORRUPT',
    suggestion: `sync into a new store with \`crmsync sync all --full --db NEW.db\` and use that one instead of ${file}; keep the damaged file if you want to inspect it (sqlite3 ${file} "PRAGMA integrity_check")`,
  })
}
