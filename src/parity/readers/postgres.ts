/**
 * A read-only connection to the legacy PostgreSQL database: one READ ONLY transaction, each table
 * read through a server-side cursor in batches, every value kept as PostgreSQL's text form.
 * `?schema=name` in the URL selects the schema (search_path).
 */
import pg from 'pg'
import {UsageError} from '../../core/errors.js'
import {redactUrl} from '../../core/redact-url.js'
import {BATCH, type LegacyRecord, type LegacySource, type TableSpec} from './types.js'

const q = (id: string): string => `"${id.replace(/"/g, '""')}"`

export {redactUrl}

/** Open a `postgres://` URL as a LegacySource; a URL that does not parse is refused here (exit 2, password hidden). */
export function postgresSource(url: string): LegacySource {
  const describe = redactUrl(url)
  try {
    new URL(url)
  } catch {
    throw new UsageError(
      `legacy PostgreSQL URL ${describe} is not a valid URL`,
      'write it as postgres://user:password@host:5432/db?schema=public (percent-encode @ : / in the password; an IPv6 host goes in [brackets])',
      'BAD_LEGACY_URL',
    )
  }
  return {
    describe,
    async *batches(tables: TableSpec[]) {
      const u = new URL(url)
      const schema = u.searchParams.get('schema')
      u.searchParams.delete('schema')
      const client = new pg.Client({connectionString: u.toString(), connectionTimeoutMillis: 10_000, types: {getTypeParser: () => (v: string) => v}})
      try {
        await client.connect()
      } catch (e) {
        throw new UsageError(
          `cannot connect to the legacy PostgreSQL database ${describe}: ${(e as Error).message || (e as {code?: string}).code}`,
          'check host, port, database and credentials in the --legacy URL (postgres://user@host:5432/db?schema=public)',
        )
      }
      try {
        await client.query('BEGIN TRANSACTION READ ONLY ISOLATION LEVEL REPEATABLE READ')
        if (schema) await client.query(`SET LOCAL search_path TO ${q(schema)}`)
        const need = async (table: string): Promise<void> => {
          const r = await client.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = ANY(current_schemas(false))', [table])
          if (r.rowCount === 0)
            throw new UsageError(`legacy PostgreSQL database ${describe} has no table ${table}${schema ? ` in schema ${schema}` : ''}`, 'fix the table name in the mapping or the ?schema= of the URL')
        }
        const cursor = async function* (sql: string): AsyncGenerator<Array<Record<string, string | null>>> {
          await client.query(`DECLARE crmsync_cur NO SCROLL CURSOR FOR ${sql}`)
          for (;;) {
            const r = await client.query(`FETCH ${BATCH} FROM crmsync_cur`)
            if (r.rows.length === 0) break
            yield r.rows as Array<Record<string, string | null>>
          }
          await client.query('CLOSE crmsync_cur')
        }
        for (const t of tables) {
          await need(t.table)
          for await (const rows of cursor(`SELECT * FROM ${q(t.table)}`)) {
            yield rows.map((row): LegacyRecord => {
              const {id, ...fields} = row
              return {model: t.model, pk: String(id), fields}
            })
          }
          for (const m of t.m2m) {
            await need(m.table)
            for await (const rows of cursor(`SELECT ${q(m.sourceColumn)} AS s, ${q(m.targetColumn)} AS t FROM ${q(m.table)}`)) {
              yield rows.map((r): LegacyRecord => ({model: t.model, pk: String(r.s), fields: {[m.field]: [r.t]}, m2mOnly: true}))
            }
          }
        }
        await client.query('COMMIT')
      } catch (e) {
        if (e instanceof UsageError) throw e
        throw new UsageError(`reading the legacy PostgreSQL database ${describe} failed: ${(e as Error).message}`, 'check the tables and columns the mapping names')
      } finally {
        await client.end().catch(() => undefined)
      }
    },
  }
}
