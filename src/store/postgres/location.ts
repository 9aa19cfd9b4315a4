/**
 * `--db postgres://user@host:5432/db?schema=NAME`: which PostgreSQL store a location names. The
 * `schema` query parameter (default `crmsync`) is the PostgreSQL schema holding the store's tables,
 * so one database can hold several stores (tests give each run its own). Never echoes a password.
 */
import {UsageError} from '../../core/errors.js'
import {redactUrl} from '../../core/redact-url.js'

/** The schema a URL without `?schema=` uses. */
export const DEFAULT_SCHEMA = 'crmsync'

export interface PgLocation {
  /** what pg connects with (the `schema` parameter removed) */
  connectionString: string
  /** the PostgreSQL schema holding the store */
  schema: string
  /** the URL to print: password replaced by `***` */
  display: string
}

/** True when `location` names a PostgreSQL store rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

const FIX = 'pass --db postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME] (or set CRMSYNC_DB)'

/** Parse a postgres:// URL; a malformed one is a UsageError (exit 2) that shows no user info. */
export function parsePgLocation(url: string): PgLocation {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new UsageError(`--db ${url.replace(/\/\/[^/?#]*@/, '//***@')} is not a valid PostgreSQL URL`, FIX, 'STORE_URL')
  }
  const schemas = u.searchParams.getAll('schema')
  if (schemas.length > 1) throw new UsageError(`--db ${redactUrl(url)} names ${schemas.length} schemas`, `${FIX}, with one schema`, 'STORE_URL')
  const schema = schemas[0] ?? DEFAULT_SCHEMA
  // PostgreSQL cuts identifiers at 63 bytes: two long names could land in one schema
  if (schema === '' || schema.includes('\0') || Buffer.byteLength(schema) > 63) {
    throw new UsageError(`--db ${redactUrl(url)}: schema "${schema.replace(/\0/g, '\\0')}" must be 1 to 63 bytes`, FIX, 'STORE_URL')
  }
  u.searchParams.delete('schema')
  return {connectionString: u.toString(), schema, display: redactUrl(url)}
}
