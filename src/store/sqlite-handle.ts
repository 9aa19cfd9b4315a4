/**
 * What the SQLite store's helper modules (read.ts, changes.ts, status.ts) need of an open SQLite
 * store. SqliteStore implements it; the helpers take this instead of the class, which imports them.
 */
import type {Database} from 'better-sqlite3'
import type {EntityTable} from './entity-table.js'

export interface SqliteHandle {
  readonly db: Database
  readonly path: string
  /** the table of an entity, or null when the store has none */
  table(entity: string): EntityTable | null
  /** a read-only connection of its own (a consistent snapshot while the store writes), released after use */
  openReader(): {db: Database; release(): void}
}
