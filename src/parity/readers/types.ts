/** What every legacy reader yields, and which tables a table-oriented reader must read. */

/** One legacy row in Django `dumpdata` shape; the pk is not inside `fields`. */
export interface LegacyRecord {
  model: string
  pk: string
  fields: Record<string, unknown>
  /** a row of a many-to-many through table: carries only `fields[m2mField] = [targetPk]` */
  m2mOnly?: boolean
}

/** A legacy table to read (CSV, SQLite, PostgreSQL), with its many-to-many through tables. */
export interface TableSpec {
  model: string
  table: string
  m2m: Array<{field: string; table: string; sourceColumn: string; targetColumn: string}>
}

/** A legacy snapshot: yields records in batches (memory stays bounded by one batch). */
export interface LegacySource {
  /** human description with any password removed */
  describe: string
  batches(tables: TableSpec[]): AsyncIterable<LegacyRecord[]>
}

/** Rows per batch the table readers fetch. */
export const BATCH = 2000
