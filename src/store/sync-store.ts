/** Opens the store a sync run writes to (or, for --dry-run, a store that writes nothing). */
import type {SyncStore} from '../core/store-port.js'
import {DryRunStore} from './dry-run-store.js'
import {openStore} from './open.js'

/** The writable store at `path`, or a dry-run store reading it read-only (the file stays byte-identical). */
export function openSyncStore(path: string, dryRun: boolean): SyncStore {
  return dryRun ? new DryRunStore(path) : openStore(path)
}
