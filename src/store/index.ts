/**
 * The SQLite store: open it, write through `SyncStore`, read it back in id order, export it.
 * Schema and semantics: docs/store-schema.md.
 */
export {openStore, type OpenStoreOptions} from './open.js'
export {SqliteStore} from './sqlite-store.js'
export {DryRunStore} from './dry-run-store.js'
export {SCHEMA_VERSION} from './migrations.js'
export {
  ASSOCIATIONS_ENTITY,
  exportableEntities,
  iterateAssociations,
  iterateRawRecords,
  iterateRecords,
  rowToRecord,
  type AssociationEdge,
  type IterateOptions,
} from './read.js'
export {exportEntity, exportStore, EXPORT_FORMATS, type ExportFormat, type ExportResult} from './export.js'
export {readSyncStatus, type SyncStatusResult} from './status.js'
export type * from '../core/store-port.js'
