/** Opens the store a sync run writes to (or, for --dry-run, a store that writes nothing). */
import {openStore} from '../store/open.js'
import type {SyncStore} from '../store/types.js'

/** The writable store at `path`, or a dry-run store over it. */
export function openSyncStore(path: string, dryRun: boolean): SyncStore {
  if (dryRun) throw new Error('dry run store not available yet')
  return openStore(path)
}
