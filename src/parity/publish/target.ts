/**
 * The plug-in point of `crmsync publish`: a target database holding the application's tables
 * (PostgreSQL or SQLite). The planner speaks plain SQL with `?` placeholders and double-quoted
 * identifiers, which both dialects accept; each adapter converts values to what its driver takes.
 */

/** What a column can hold, from its declared type. */
export type ColumnFamily = 'text' | 'integer' | 'numeric' | 'boolean' | 'timestamp' | 'date' | 'other'

export interface ColumnInfo {
  name: string
  family: ColumnFamily
  /** the declared type, for messages */
  declared: string
  notNull: boolean
  /** the column's SQL type without modifiers, quoted (PostgreSQL: the element type of the arrays a row source binds) */
  sqlType?: string
}

/** A column of a row source: its family, and on PostgreSQL the SQL type its values are bound as. */
export type SourceColumn = Pick<ColumnInfo, 'family' | 'sqlType'>

/** A fragment of SQL with its parameters. */
export interface SqlPart {
  sql: string
  params: unknown[]
}

export interface TableInfo {
  name: string
  columns: Map<string, ColumnInfo>
  /** columns with a single-column UNIQUE constraint or primary key */
  unique: Set<string>
  /** missing INSERT/UPDATE/DELETE/SELECT privileges of the connected user (PostgreSQL) */
  missingPrivileges: string[]
}

/** One transaction: statements run in order; an error rolls the whole batch back. */
export interface TargetTx {
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  /**
   * Append rows (values already `param()`-converted) to `table` as they are: no conflict handling,
   * nothing returned; a duplicate key fails the statement (and so the batch). PostgreSQL streams
   * them with one COPY, SQLite inserts them with one INSERT ... SELECT.
   */
  append(table: string, columns: Array<SourceColumn & {name: string}>, rows: unknown[][]): Promise<void>
}

/** Another publisher holding a target's lock, as the target can tell it. */
export interface LockHolder {
  /** e.g. `pid 123 on host-a, since 2026-12-02T07:00:00Z`; empty where the target cannot tell */
  who: string
  /** how to clear a lock whose holder is gone */
  stale: string
}

export interface PublishTarget {
  readonly dialect: 'postgres' | 'sqlite'
  /** safe to print (no password) */
  readonly describe: string
  /** key of this target's cursor in the crmsync store (target and schema, no password) */
  readonly cursorKey: string
  /** the quoted (and, on PostgreSQL, schema-qualified) name of a table, for SQL */
  ref(table: string): string
  /** ` COLLATE "C"` on PostgreSQL: text compared by code units, as SQLite and the store sort ids */
  readonly byteOrder: string
  /** the table's columns, or null when it does not exist */
  table(name: string): Promise<TableInfo | null>
  /** try to take the one-publisher lock: null when taken, else who holds it (publish-lock.ts waits and retries) */
  tryLock(): Promise<LockHolder | null>
  /** reads outside a batch (look-ups) */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  /** TargetTx.append outside a batch */
  append(table: string, columns: Array<SourceColumn & {name: string}>, rows: unknown[][]): Promise<void>
  /** run `fn` in one transaction (committed when it resolves, rolled back when it throws) */
  transaction<T>(fn: (tx: TargetTx) => Promise<T>): Promise<T>
  /** a value as this driver's parameter for a column of `family` (value is the legacy text form) */
  param(family: ColumnFamily, value: string | null): unknown
  /**
   * `expr IN (values)` with the whole list bound as one parameter, whatever its length
   * (PostgreSQL: `= ANY(?::type[])`, SQLite: `json_each(?)`): one statement per set, not per row.
   */
  inList(expr: string, family: 'text' | 'integer', values: string[]): SqlPart
  /**
   * Rows as a row source `(...) AS alias` with columns `c0`, `c1`, ... for INSERT ... SELECT,
   * UPDATE ... FROM and `IN (SELECT ...)`: PostgreSQL binds one array per column (`unnest`), SQLite
   * one JSON array of rows (`json_each`). Values are already `param()`-converted.
   */
  rowSource(alias: string, cols: SourceColumn[], rows: unknown[][]): SqlPart
  close(): Promise<void>
}

/** Double-quote an SQL identifier (names from the mapping are untrusted). */
export const qi = (id: string): string => `"${id.replace(/"/g, '""')}"`
