/**
 * Open a PostgreSQL store (`--db postgres://...?schema=NAME`), with errors that name the store
 * (never its password) and the fix. Writable: the schema is created if missing and migrated.
 * Read-only: it must exist and be current; nothing is created. Dry run: everything, the
 * migrations included, happens in one transaction that `close()` rolls back.
 */
import {CrmsyncError, EXIT} from '../../core/errors.js'
import {parsePgLocation} from './location.js'
import {assertPgNotNewer, inspectSchema, migratePg, PG_SCHEMA_VERSION} from './migrations.js'
import {PostgresStore} from './pg-store.js'
import {PgSession} from './session.js'
import {quoteIdent} from '../identifiers.js'

export interface OpenPgOptions {
  /** open without creating, migrating or writing anything (export, status, parity) */
  readonly?: boolean
  /** write nothing: one transaction, rolled back on close */
  dryRun?: boolean
  /** writable, but never create a store: refuse a schema without one (publish) */
  mustExist?: boolean
}

const FIX_DB = 'pass --db postgres://USER@HOST:5432/DATABASE?schema=NAME (or set CRMSYNC_DB) to a crmsync store'

function inputError(message: string, suggestion: string, code: string): CrmsyncError {
  return new CrmsyncError(message, {exit: EXIT.usage, suggestion, code})
}

/** The store at `url`. Throws CrmsyncError (exit 2) naming the store and the fix when it cannot be used. */
export async function openPostgresStore(url: string, options: OpenPgOptions = {}): Promise<PostgresStore> {
  const loc = parsePgLocation(url)
  const mode = options.readonly ? 'read' : options.dryRun ? 'dry' : 'write'
  const session = new PgSession(loc.connectionString, loc.schema, mode)
  try {
    try {
      await session.connect()
    } catch (err) {
      throw inputError(
        `cannot connect to the PostgreSQL store ${loc.display}: ${(err as Error).message || (err as {code?: string}).code}`,
        `check host, port, database and credentials; ${FIX_DB}`,
        'STORE_OPEN',
      )
    }
    const state = await inspectSchema(session, loc.schema)
    if (state.version === null && state.tables > 0) {
      throw inputError(`${loc.display} is not a crmsync store (schema "${loc.schema}" holds ${state.tables} table(s) of another program)`, `${FIX_DB}, with a ?schema= of its own`, 'NOT_A_STORE')
    }
    assertPgNotNewer(state.version, loc.display) // before anything is touched
    if (mode === 'read') {
      if (state.version === null) throw inputError(`no crmsync store at ${loc.display}`, `run \`crmsync sync all --db ${loc.display}\` to create it, or ${FIX_DB}`, 'STORE_MISSING')
      if (state.version < PG_SCHEMA_VERSION) {
        throw inputError(`store ${loc.display} has schema version ${state.version}; this crmsync needs ${PG_SCHEMA_VERSION}`, 'run any `crmsync sync` command once to migrate it', 'STORE_OLD')
      }
    } else {
      if (options.mustExist && state.version === null)
        throw inputError(`no crmsync store at ${loc.display}`, `run \`crmsync sync all --db ${loc.display}\` to create it, or ${FIX_DB}`, 'STORE_MISSING')
      if (!state.exists) {
        await session.tx(async (sql) => {
          await sql.query(`SELECT pg_advisory_xact_lock(hashtext('crmsync-migrate:' || $1::text))`, [loc.schema]) // processes creating one store at once
          await sql.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(loc.schema)}`)
        })
      }
      await migratePg((fn) => session.tx(fn), loc.schema, loc.display)
    }
    return new PostgresStore(session, loc.display)
  } catch (err) {
    await session.close().catch(() => undefined)
    if (err instanceof CrmsyncError) throw err
    throw new CrmsyncError(`cannot use store ${loc.display}: ${(err as Error).message}`, {suggestion: FIX_DB, code: 'STORE_OPEN'})
  }
}
