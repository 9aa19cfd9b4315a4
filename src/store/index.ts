/**
 * The SQLite store: open it, write through `SyncStore`, read it back in id order, export it.
 * Schema and semantics: docs/store-schema.md.
 */
export {openStore, type OpenStoreOptions} from './open.js'
export {SqliteStore} from './sqlite-store.js'
export {DryRunStore} from './dry-run-store.js'
export {SCHEMA_VERSION} from './migrations.js'
export {ASSOCIATIONS_ENTITY, iterateAssociations, iterateRawRecords, iterateRecords, rowToRecord} from './read.js'
export {exportableEntities, exportEntity, exportStore, EXPORT_FORMATS, type ExportFormat, type ExportResult} from './export.js'
export {readSyncStatus} from './read-status.js'
export {openStoreReader} from './open.js'
export {openSyncStore} from './sync-store.js'
export type * from '../core/store-port.js'
