/** Opens the store a sync run writes to (or, for --dry-run, a store that writes nothing). */
import type {Checkpoint, StoreHistory, StoreReader, SyncStore} from '../core/store-port.js'
import {DryRunStore} from './dry-run-store.js'
import {openStore} from './open.js'
import {isPostgresUrl} from './postgres/location.js'

/**
 * The writable store at `location`: a SQLite file, or a postgres:// URL. For a dry run: SQLite reads
 * the file read-only and writes a scratch copy (the file stays byte-identical); PostgreSQL runs the
 * whole dry run in one transaction that is rolled back at close.
 */
export async function openSyncStore(location: string, dryRun: boolean): Promise<SyncStore> {
  if (isPostgresUrl(location)) return (await import('./postgres/open.js')).openPostgresStore(location, {dryRun})
  return dryRun ? new DryRunStore(location) : openStore(location)
}

/** A store open for writing and reading, whose checkpoints can also be set directly (`store copy`). */
export type ReadWriteStore = SyncStore & StoreReader & StoreHistory & {setCheckpoint(stream: string, checkpoint: Checkpoint | null): unknown}

/** The store at `location` (file or postgres:// URL), created or migrated, for reading and writing. */
export async function openReadWriteStore(location: string): Promise<ReadWriteStore> {
  if (isPostgresUrl(location)) return (await import('./postgres/open.js')).openPostgresStore(location)
  return openStore(location)
}
