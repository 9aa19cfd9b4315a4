/**
 * One entity's table: registration in `entities`, typed columns in `property_columns`
 * (added with ALTER TABLE as new properties appear), and the prepared statements the store caches.
 */
import type {Database, Statement} from 'better-sqlite3'
import type {PropertyDefinition} from '../core/records.js'
import {freeTableName, planColumns, type PropertyColumn} from './column-plan.js'
import {quoteIdent} from './identifiers.js'
import {toColumnValue, type ColumnType} from './typing.js'

export type {PropertyColumn} from './column-plan.js'

/** The stored state of one record that decides inserted / updated / unchanged. */
export interface StoredRow {
  created_at: string | null
  updated_at: string | null
  archived: number
  archived_at: string | null
  merged_into: string | null
  properties: string
}

/** Cached statements and column map of one entity table. */
export interface EntityTable {
  entity: string
  table: string
  columns: PropertyColumn[]
  select: Statement<[string], StoredRow>
  /** INSERT ... ON CONFLICT DO UPDATE, parameters: id, the fixed columns (the last is the change sequence), then the typed columns */
  upsert: Statement<unknown[]>
  /** the same INSERT with ON CONFLICT DO NOTHING: `changes` says whether the id was new */
  insertNew: Statement<unknown[]>
  /**
   * the table held no row when these statements were prepared (a first sync): records are then
   * inserted first and only looked up when the id turns out to exist, which saves a look-up per record
   */
  insertFirst: boolean
  /** (survivor, synced_at, seq, id) */
  merge: Statement<[string, string | null, number, string]>
  /** remember a merged-away id the store never held: (id, survivor, synced_at, seq) */
  mergePlaceholder: Statement<[string, string, string, number]>
}

const BASE_COLUMNS = `
  id TEXT PRIMARY KEY,
  created_at TEXT,
  updated_at TEXT,
  archived INTEGER NOT NULL DEFAULT 0,
  archived_at TEXT,
  merged_into TEXT,
  properties TEXT NOT NULL,
  synced_at TEXT,
  seq INTEGER NOT NULL DEFAULT 0`

/**
 * Typed columns an entity table gets at most: SQLite allows 2,000 columns per table (and as many
 * values per INSERT), 8 are the fixed ones. Properties past this many (in name order, first come
 * first served) are kept in the raw `properties` JSON only, which export and the parity harness read.
 */
export const MAX_TYPED_COLUMNS = 1990

/** The table name registered for `entity`, or null when the store has no such entity. */
export function registeredTable(db: Database, entity: string): string | null {
  const row = db.prepare('SELECT table_name FROM entities WHERE entity = ?').get(entity) as {table_name: string} | undefined
  return row?.table_name ?? null
}

/** Every entity registered in the store, sorted by name. */
export function listEntities(db: Database): string[] {
  return (db.prepare('SELECT entity FROM entities ORDER BY entity').all() as Array<{entity: string}>).map((r) => r.entity)
}

/** The typed columns of an entity, in creation order. */
export function loadColumns(db: Database, entity: string): PropertyColumn[] {
  return db.prepare('SELECT property, "column" AS column, type FROM property_columns WHERE entity = ? ORDER BY rowid').all(entity) as PropertyColumn[]
}

/**
 * Create the entity table if needed and add a typed column for every property not mapped yet;
 * a property whose type changed is re-typed in place. Must run inside a transaction.
 * Returns true when anything changed.
 */
export function ensureEntitySchema(db: Database, entity: string, properties: PropertyDefinition[]): boolean {
  let changed = false
  let table = registeredTable(db, entity)
  const fresh = !table
  if (!table) {
    table = freeTableName(entity, new Set((db.prepare('SELECT table_name FROM entities').all() as Array<{table_name: string}>).map((r) => r.table_name)))
    db.prepare('INSERT INTO entities (entity, table_name, created_at) VALUES (?, ?, ?)').run(entity, table, new Date().toISOString())
    changed = true
  }
  const existing = new Map(loadColumns(db, entity).map((c) => [c.property, c]))
  const added: string[] = []
  for (const {kind, property, column, type} of planColumns(existing, properties, MAX_TYPED_COLUMNS)) {
    if (kind === 'retype') db.prepare('UPDATE property_columns SET type = ? WHERE entity = ? AND property = ?').run(type, entity, property)
    else {
      // a new table gets all its columns in its CREATE TABLE: one ALTER TABLE per column re-parses
      // the whole schema each time (2,000 columns took 15 s that way)
      if (!fresh) db.exec(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column)}`)
      else added.push(column)
      db.prepare('INSERT INTO property_columns (entity, property, "column", type) VALUES (?, ?, ?, ?)').run(entity, property, column, type)
    }
    // fill the (new or re-typed) column from the raw JSON already stored (a new table has none)
    if (!fresh) db.prepare(`UPDATE ${quoteIdent(table)} SET ${quoteIdent(column)} = crmsync_typed(?, properties, ?)`).run(type, property)
    changed = true
  }
  if (fresh)
    db.exec(
      `CREATE TABLE ${quoteIdent(table)} (${BASE_COLUMNS}${added.map((c) => `,\n  ${quoteIdent(c)}`).join('')}) WITHOUT ROWID; CREATE INDEX ${quoteIdent(`${table}__seq`)} ON ${quoteIdent(table)} (seq)`,
    )
  return changed
}

/** Register the SQL function used to back-fill typed columns from the raw JSON. */
export function registerFunctions(db: Database): void {
  db.function('crmsync_typed', {deterministic: true}, (type: unknown, json: unknown, name: unknown) => {
    if (typeof json !== 'string' || typeof name !== 'string') return null
    const props = JSON.parse(json) as Record<string, string | null>
    return toColumnValue(type as ColumnType, Object.prototype.hasOwnProperty.call(props, name) ? props[name] : null)
  })
}

/** Build the cached statements for an entity table (after its columns are known). */
export function prepareEntityTable(db: Database, entity: string): EntityTable | null {
  const table = registeredTable(db, entity)
  if (!table) return null
  const columns = loadColumns(db, entity)
  const t = quoteIdent(table)
  const fixed = ['created_at', 'updated_at', 'archived', 'archived_at', 'merged_into', 'properties', 'synced_at', 'seq']
  const typed = columns.map((c) => quoteIdent(c.column))
  const all = ['id', ...fixed, ...typed]
  return {
    entity,
    table,
    columns,
    select: db.prepare(`SELECT created_at, updated_at, archived, archived_at, merged_into, properties FROM ${t} WHERE id = ?`) as Statement<[string], StoredRow>,
    upsert: db.prepare(
      `INSERT INTO ${t} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ` + `ON CONFLICT (id) DO UPDATE SET ${[...fixed, ...typed].map((c) => `${c} = excluded.${c}`).join(', ')}`,
    ),
    insertNew: db.prepare(`INSERT INTO ${t} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ON CONFLICT (id) DO NOTHING`),
    insertFirst: !db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get(),
    merge: db.prepare(`UPDATE ${t} SET merged_into = ?, synced_at = ?, seq = ? WHERE id = ?`) as Statement<[string, string | null, number, string]>,
    mergePlaceholder: db.prepare(`INSERT INTO ${t} (id, properties, merged_into, synced_at, seq) VALUES (?, '{}', ?, ?, ?)`) as Statement<[string, string, string, number]>,
  }
}
