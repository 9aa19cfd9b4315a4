import {Flags} from '@oclif/core'

/** `--db PATH|URL` (env CRMSYNC_DB, default ./crmsync.db): a SQLite store file or a PostgreSQL store URL. */
export const dbFlag = Flags.string({summary: 'store: a SQLite file, or postgres://USER@HOST:5432/DB?schema=NAME', default: './crmsync.db', env: 'CRMSYNC_DB', helpValue: 'PATH|URL'})

/** Flags shared by every command that reads or writes the store: spread them into a command's `flags`. */
export const storeFlags = {db: dbFlag}
