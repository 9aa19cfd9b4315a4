/**
 * `crmsync sync status`: open the store at a location (SQLite or PostgreSQL), read its status, close
 * it. Apart from status.ts, which the SQLite store itself uses, so that opening a store and reading
 * one's status import each other in one direction only.
 */
import type {SyncStatusResult} from '../core/store-port.js'
import {openStoreReader} from './open.js'

/** Read the status of the store at `db` (exit 2 with the fix when it does not exist). */
export async function readSyncStatus(db: string): Promise<SyncStatusResult> {
  const store = await openStoreReader(db)
  try {
    return await store.status()
  } finally {
    await store.close()
  }
}
