import {Flags} from '@oclif/core'

/** `--db PATH` (env CRMSYNC_DB, default ./crmsync.db): the SQLite store file. */
export const dbFlag = Flags.string({summary: 'SQLite store file', default: './crmsync.db', env: 'CRMSYNC_DB', helpValue: 'PATH'})

/** Flags shared by every command that reads or writes the store: spread them into a command's `flags`. */
export const storeFlags = {db: dbFlag}
