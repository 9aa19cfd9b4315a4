/**
 * Versioned schema migrations. Each migration runs in its own transaction and is recorded in
 * `schema_migrations`; a store whose schema is newer than this code is refused.
 */
import type {Database} from 'better-sqlite3'
import {CrmsyncError, EXIT} from '../core/errors.js'
import {quoteIdent} from './identifiers.js'

/** `PRAGMA application_id` of every crmsync store ("crms" in ASCII). */
export const APPLICATION_ID = 0x63726d73

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

/** Every migration, in order. Append only: never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up(db) {
      db.exec(`
        CREATE TABLE entities (
          entity TEXT PRIMARY KEY,
          table_name TEXT NOT NULL UNIQUE,
          created_at TEXT NOT NULL
        );
        CREATE TABLE property_columns (
          entity TEXT NOT NULL REFERENCES entities(entity),
          property TEXT NOT NULL,
          "column" TEXT NOT NULL,
          type TEXT NOT NULL,
          PRIMARY KEY (entity, property),
          UNIQUE (entity, "column")
        );
        CREATE TABLE associations (
          from_entity TEXT NOT NULL,
          from_id TEXT NOT NULL,
          to_entity TEXT NOT NULL,
          to_id TEXT NOT NULL,
          type_id INTEGER NOT NULL,
          category TEXT NOT NULL,
          label TEXT,
          PRIMARY KEY (from_entity, from_id, to_entity, to_id, category, type_id)
        );
        CREATE INDEX associations_to ON associations (to_entity, to_id);
        CREATE TABLE checkpoints (
          stream TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE TABLE runs (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          command TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT,
          status TEXT NOT NULL,
          dry_run INTEGER NOT NULL DEFAULT 0,
          counts TEXT NOT NULL DEFAULT '{}',
          requests INTEGER NOT NULL DEFAULT 0,
          rate_limited INTEGER NOT NULL DEFAULT 0,
          retries INTEGER NOT NULL DEFAULT 0,
          errors INTEGER NOT NULL DEFAULT 0,
          message TEXT
        );
        CREATE TABLE dead_letters (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          run_id INTEGER REFERENCES runs(id),
          stream TEXT NOT NULL,
          record_id TEXT,
          payload TEXT,
          reason TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX dead_letters_stream ON dead_letters (stream);
      `)
      db.pragma(`application_id = ${APPLICATION_ID}`)
    },
  },
  {
    version: 2,
    name: 'change sequence (publish)',
    up(db) {
      // one counter; every write transaction takes the next value and stamps the rows it changes
      db.exec(`
        CREATE TABLE change_seq (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO change_seq (id, value) VALUES (1, 0);
        ALTER TABLE associations ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX associations_seq ON associations (seq);
        CREATE TABLE edge_tombstones (
          seq INTEGER NOT NULL,
          from_entity TEXT NOT NULL,
          from_id TEXT NOT NULL,
          to_entity TEXT NOT NULL,
          to_id TEXT NOT NULL
        );
        CREATE INDEX edge_tombstones_seq ON edge_tombstones (seq);
        CREATE TABLE publish_cursors (
          target TEXT PRIMARY KEY,
          seq INTEGER NOT NULL,
          updated_at TEXT NOT NULL
        );
      `)
      const q = quoteIdent
      for (const {table_name: t} of db.prepare('SELECT table_name FROM entities').all() as Array<{table_name: string}>) {
        db.exec(`ALTER TABLE ${q(t)} ADD COLUMN seq INTEGER NOT NULL DEFAULT 0; CREATE INDEX ${q(`${t}__seq`)} ON ${q(t)} (seq)`)
      }
    },
  },
  {
    version: 3,
    name: 'edge tombstones pruned through (publish)',
    up(db) {
      // the highest sequence up to which edge tombstones may have been deleted (./tombstones.ts): a
      // publish cursor below it can no longer be published incrementally from
      db.exec(`
        CREATE TABLE tombstones_pruned (id INTEGER PRIMARY KEY CHECK (id = 1), through_seq INTEGER NOT NULL);
        INSERT INTO tombstones_pruned (id, through_seq) VALUES (1, 0);
      `)
    },
  },
]

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version

/** The store's schema version (0 for a fresh file). */
export function currentVersion(db: Database): number {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get()
  if (!has) return 0
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {v: number | null}
  return row.v ?? 0
}

/** Refuse a store whose schema is newer than this code knows. */
export function assertNotNewer(db: Database, path: string): number {
  const version = currentVersion(db)
  if (version > SCHEMA_VERSION) {
    throw new CrmsyncError(`store ${path} has schema version ${version}, newer than this crmsync understands (${SCHEMA_VERSION})`, {
      exit: EXIT.usage,
      code: 'STORE_TOO_NEW',
      suggestion: 'upgrade crmsync to the version that wrote this store, or pass --db with another file',
    })
  }
  return version
}

/**
 * Apply every pending migration, each in its own transaction (idempotent). Returns the versions applied.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  assertNotNewer(db, path)
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied: number[] = []
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const m of migrations) {
    const run = db.transaction(() => {
      if (currentVersion(db) >= m.version) return false
      m.up(db)
      record.run(m.version, m.name, new Date().toISOString())
      return true
    })
    if (run.immediate()) applied.push(m.version)
  }
  return applied
}
