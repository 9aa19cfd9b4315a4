/**
 * One entity's table in PostgreSQL: registration in `entities`, typed columns in
 * `property_columns` (added with ALTER TABLE as new properties appear, back-filled from the stored
 * JSON), and the SQL the store reuses. Names are sanitized and quoted as in SQLite (../identifiers.ts).
 */
import type {PropertyDefinition} from '../../core/records.js'
import {freeTableName, planColumns, type PropertyColumn} from '../column-plan.js'
import {quoteIdent} from '../identifiers.js'
import type {ColumnType} from '../typing.js'
import {XACT_SEQ} from './change-seq.js'
import type {Sql} from './session.js'
import {PG_TYPES, pgColumnValue} from './typing.js'

/** An entity table and the statements built for its columns. */
export interface PgEntityTable {
  entity: string
  table: string
  columns: PropertyColumn[]
  /** INSERT ... SELECT FROM unnest(one array per column) ON CONFLICT (id) DO UPDATE */
  upsert: string
  /**
   * The same rows as ONE plain INSERT, only when none of the page's ids is stored yet (else it
   * inserts nothing): the insert-first path of a first load (record-writer.ts). Parameters: the
   * upsert's, then stream and checkpoint (the checkpoint saved in the same statement).
   */
  insertNew: string
  /** `insertNew` that also drops the edges of the page's tombstones (then: entity, tombstoned ids) */
  insertNewDropping: string
  /** the table held no row when it was loaded (a first load): try `insertNew` first */
  insertFirst: boolean
}

/**
 * The fixed columns, in the order of every row the store writes, with their array types and the
 * expression that fills each from the unnest row `u` (the raw JSON is sent once, as text: its
 * jsonb copy is parsed by the server from that text, NULL when the row's `json_ok` flag is false).
 */
export const FIXED_COLUMNS: ReadonlyArray<[column: string, arrayType: string, value: string]> = [
  ['id', 'text', 'u.c0'],
  ['created_at', 'text', 'u.c1'],
  ['updated_at', 'text', 'u.c2'],
  ['archived', 'boolean', 'u.c3'],
  ['archived_at', 'text', 'u.c4'],
  ['merged_into', 'text', 'u.c5'],
  ['properties_text', 'text', 'u.c6'],
  ['properties', 'boolean', 'CASE WHEN u.c7 THEN u.c6::jsonb END'],
  ['synced_at', 'timestamptz', 'u.c8'],
]

/** The checkpoint of `stream` saved in the statement that writes its page ($S stream, $V checkpoint JSON or NULL, after the row arrays). */
export function checkpointCte(stream: number, value: number, when: string): string {
  return `cp AS (INSERT INTO checkpoints (stream, value, updated_at) SELECT $${stream}::text, $${value}::text, now() WHERE $${value}::text IS NOT NULL AND ${when}
    ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at)`
}

const BASE_COLUMNS = `
  id text COLLATE "C" PRIMARY KEY,
  created_at text,
  updated_at text,
  archived boolean NOT NULL DEFAULT false,
  archived_at text,
  merged_into text COLLATE "C",
  properties_text text NOT NULL,
  properties jsonb,
  synced_at timestamptz,
  seq bigint NOT NULL DEFAULT ${XACT_SEQ}`

/**
 * Typed columns an entity table gets at most: PostgreSQL allows 1,600 columns per table, 10 are the
 * fixed ones (BASE_COLUMNS), and 10 are left for fixed columns a later migration may add. As on
 * SQLite (MAX_TYPED_COLUMNS there), the properties past it (in name order) stay in the raw JSON.
 */
export const MAX_PG_TYPED_COLUMNS = 1580

const LOCK_ENTITIES = `SELECT pg_advisory_xact_lock(hashtext('crmsync-entities:' || current_schema()))`

async function registeredTable(sql: Sql, entity: string): Promise<string | null> {
  const r = await sql.query<{table_name: string}>('SELECT table_name FROM entities WHERE entity = $1', [entity])
  return r.rows[0]?.table_name ?? null
}

async function loadColumns(sql: Sql, entity: string): Promise<PropertyColumn[]> {
  return (await sql.query<PropertyColumn>('SELECT property, "column" AS column, type FROM property_columns WHERE entity = $1 ORDER BY position', [entity])).rows
}

/** Fill `column` of every stored row from its raw JSON, in id batches (bounded memory). */
async function backfill(sql: Sql, table: string, column: string, property: string, type: ColumnType): Promise<void> {
  const t = quoteIdent(table)
  let after = ''
  for (;;) {
    const rows = (await sql.query<{id: string; properties_text: string}>(`SELECT id, properties_text FROM ${t} WHERE id > $1 ORDER BY id LIMIT 2000`, [after])).rows
    if (rows.length === 0) return
    const values = rows.map((r) => {
      const props = JSON.parse(r.properties_text) as Record<string, unknown>
      return pgColumnValue(type, Object.prototype.hasOwnProperty.call(props, property) ? props[property] : null)
    })
    await sql.query(`UPDATE ${t} SET ${quoteIdent(column)} = v.value FROM unnest($1::text[], $2::${PG_TYPES[type]}[]) AS v(id, value) WHERE ${t}.id = v.id`, [rows.map((r) => r.id), values])
    after = rows[rows.length - 1].id
  }
}

/**
 * Create the entity table if needed and add a typed column for every property not mapped yet; a
 * property whose type changed is re-typed in place. Runs inside the caller's transaction, under an
 * advisory lock so that concurrent processes never pick one table or column name twice.
 * Returns true when anything changed.
 */
export async function ensurePgEntitySchema(sql: Sql, entity: string, properties: PropertyDefinition[]): Promise<boolean> {
  let changed = false
  let table = await registeredTable(sql, entity)
  const columns = async (): Promise<Map<string, PropertyColumn>> => new Map((await loadColumns(sql, entity)).map((c) => [c.property, c]))
  if (table && planColumns(await columns(), properties, MAX_PG_TYPED_COLUMNS).length === 0) return false // nothing to do: no lock taken
  await sql.query(LOCK_ENTITIES)
  table = await registeredTable(sql, entity) // another process may have created it meanwhile
  if (!table) {
    table = freeTableName(entity, new Set((await sql.query<{table_name: string}>('SELECT table_name FROM entities')).rows.map((r) => r.table_name)))
    await sql.query(`CREATE TABLE ${quoteIdent(table)} (${BASE_COLUMNS})`)
    await sql.query(`CREATE INDEX ON ${quoteIdent(table)} (seq)`)
    await sql.query('INSERT INTO entities (entity, table_name, created_at) VALUES ($1, $2, now())', [entity, table])
    changed = true
  }
  for (const {kind, property, column, type} of planColumns(await columns(), properties, MAX_PG_TYPED_COLUMNS)) {
    if (kind === 'retype') {
      await sql.query(`ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${quoteIdent(column)} TYPE ${PG_TYPES[type]} USING NULL`)
      await sql.query('UPDATE property_columns SET type = $1 WHERE entity = $2 AND property = $3', [type, entity, property])
    } else {
      await sql.query(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column)} ${PG_TYPES[type]}`)
      await sql.query('INSERT INTO property_columns (entity, property, "column", type) VALUES ($1, $2, $3, $4)', [entity, property, column, type])
    }
    await backfill(sql, table, column, property, type)
    changed = true
  }
  return changed
}

/** The table of `entity` with its columns and statements, or null when the store does not have it. */
export async function loadPgEntityTable(sql: Sql, entity: string): Promise<PgEntityTable | null> {
  const table = await registeredTable(sql, entity)
  if (!table) return null
  const columns = await loadColumns(sql, entity)
  const names = [...FIXED_COLUMNS.map(([c]) => c), ...columns.map((c) => c.column)].map(quoteIdent)
  const arrays = [...FIXED_COLUMNS.map(([, type]) => type), ...columns.map((c) => PG_TYPES[c.type])].map((type, i) => `$${i + 1}::${type}[]`)
  const values = [...FIXED_COLUMNS.map(([, , value]) => value), ...columns.map((_, i) => `u.c${FIXED_COLUMNS.length + i}`)]
  const t = quoteIdent(table)
  // the page's rows: one array per column, unnested in step (u.c0 is the id)
  const rows = `SELECT ${values.join(', ')} FROM unnest(${arrays.join(', ')}) AS u(${names.map((_, i) => `c${i}`).join(', ')})`
  const n = arrays.length
  const empty = await sql.query(`SELECT 1 FROM ${t} LIMIT 1`)
  const insertNew = (extra: string): string => `WITH fresh AS (SELECT NOT EXISTS (SELECT 1 FROM ${t} WHERE id = ANY($1::text[])) AS ok),
      ins AS (INSERT INTO ${t} (${names.join(', ')}) ${rows} WHERE (SELECT ok FROM fresh)),
      ${checkpointCte(n + 1, n + 2, '(SELECT ok FROM fresh)')}${extra}
      SELECT ok FROM fresh`
  return {
    entity,
    table,
    columns,
    upsert: `INSERT INTO ${t} (${names.join(', ')}) ${rows} ON CONFLICT (id) DO UPDATE SET ${names
      .slice(1)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}, seq = DEFAULT`,
    insertNew: insertNew(''),
    insertNewDropping: insertNew(`,
      gone AS (DELETE FROM associations WHERE (SELECT ok FROM fresh) AND ((from_entity = $${n + 3} AND from_id = ANY($${n + 4}::text[])) OR (to_entity = $${n + 3} AND to_id = ANY($${n + 4}::text[]))))`),
    insertFirst: empty.rowCount === 0,
  }
}

/** Every entity registered in the store, sorted by name (byte order). */
export async function listPgEntities(sql: Sql): Promise<string[]> {
  return (await sql.query<{entity: string}>('SELECT entity FROM entities ORDER BY entity')).rows.map((r) => r.entity)
}
