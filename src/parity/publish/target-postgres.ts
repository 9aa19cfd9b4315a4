/**
 * The PostgreSQL publish target: one session (pg.Client) for the whole run, so the session-level
 * advisory lock lives exactly as long as the publisher; every value read back as PostgreSQL's text.
 */
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import pg from 'pg'
import {from as copyFrom} from 'pg-copy-streams'
import {CrmsyncError, EXIT} from '../../core/errors.js'
import {type ColumnFamily, type LockHolder, type PublishTarget, qi, type SourceColumn, type SqlPart, type TableInfo, type TargetTx} from './target.js'

export interface PostgresTargetConfig {
  host: string
  port: number
  user: string
  password?: string
  database: string
  schema: string
  /** the URL without its password (messages, cursor key) */
  describe: string
}

function familyOf(dataType: string): ColumnFamily {
  if (/^(character varying|character|text|citext|varchar|char)/.test(dataType)) return 'text'
  if (/^(integer|bigint|smallint)$/.test(dataType)) return 'integer'
  if (/^(numeric|double precision|real|decimal)/.test(dataType)) return 'numeric'
  if (dataType === 'boolean') return 'boolean'
  if (dataType.startsWith('timestamp')) return 'timestamp'
  if (dataType === 'date') return 'date'
  return 'other'
}

/** The type a row source binds a column of `family` as, when the column's own type is not known. */
const FAMILY_TYPE: Record<ColumnFamily, string> = {text: 'text', integer: 'int8', numeric: 'numeric', boolean: 'bool', timestamp: 'timestamptz', date: 'date', other: 'text'}
const arrayOf = (c: SourceColumn): string => `${c.sqlType ?? FAMILY_TYPE[c.family]}[]`

/** A value in COPY's text format: \\N for NULL; backslash, tab, newline and carriage return escaped. */
const copyText = (v: unknown): string => (v === null || v === undefined ? '\\N' : String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')))

/** COPY's text lines of `rows`, 1,000 rows per chunk. */
function* copyLines(rows: unknown[][]): Generator<string> {
  for (let i = 0; i < rows.length; i += 1000) {
    let chunk = ''
    for (let j = i; j < Math.min(rows.length, i + 1000); j++) chunk += `${rows[j].map(copyText).join('\t')}\n`
    yield chunk
  }
}

/** `?` placeholders to `$1, $2, ...` (the planner never puts a literal ? in its SQL). */
const numbered = (sql: string): string => {
  let i = 0
  return sql.replace(/\?/g, () => `$${++i}`)
}

/** Connect to the target; exit 1 naming the fix when the server cannot be reached or refuses the login. */
export async function openPostgresTarget(cfg: PostgresTargetConfig): Promise<PublishTarget> {
  const client = new pg.Client({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password,
    database: cfg.database,
    connectionTimeoutMillis: 10_000,
    types: {getTypeParser: () => (v: string) => v},
  })
  client.on('error', () => undefined) // a dropped connection surfaces as the next query's error
  try {
    await client.connect()
  } catch (e) {
    await client.end().catch(() => undefined)
    const why = (e as Error).message || (e as {code?: string}).code || 'connection failed'
    throw new CrmsyncError(`cannot connect to the publish target ${cfg.describe}: ${why.replaceAll(cfg.password || '\u0000', '***')}`, {
      exit: EXIT.failure,
      code: 'TARGET_UNREACHABLE',
      suggestion: 'check host, port, database and credentials in --to (postgres://USER@HOST:5432/DB) and that the server is running',
    })
  }
  const schema = cfg.schema
  const append = async (table: string, columns: Array<{name: string}>, rows: unknown[][]): Promise<void> => {
    if (rows.length === 0) return
    await pipeline(Readable.from(copyLines(rows)), client.query(copyFrom(`COPY ${qi(schema)}.${qi(table)} (${columns.map((c) => qi(c.name)).join(', ')}) FROM STDIN`)))
  }
  const run = async (sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> => (await client.query(numbered(sql), params)).rows
  return {
    dialect: 'postgres',
    describe: cfg.describe,
    cursorKey: `${cfg.describe.replace(/\?.*$/, '')}?schema=${schema}`,
    ref: (table: string) => `${qi(schema)}.${qi(table)}`,
    byteOrder: ' COLLATE "C"',
    async table(name: string): Promise<TableInfo | null> {
      const cols = await run('SELECT column_name, data_type, is_nullable, udt_schema, udt_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [
        schema,
        name,
      ])
      if (cols.length === 0) return null
      const unique = await run(
        `SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
         WHERE n.nspname = ? AND c.relname = ? AND i.indisunique AND i.indnatts = 1 AND i.indpred IS NULL`,
        [schema, name],
      )
      const qualified = `${qi(schema)}.${qi(name)}`
      const priv = await run(`SELECT p, has_table_privilege(?, p) AS ok FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p`, [qualified])
      return {
        name,
        columns: new Map(
          cols.map((c) => [
            String(c.column_name),
            {
              name: String(c.column_name),
              family: familyOf(String(c.data_type)),
              declared: String(c.data_type),
              notNull: c.is_nullable === 'NO',
              sqlType: `${qi(String(c.udt_schema))}.${qi(String(c.udt_name))}`,
            },
          ]),
        ),
        unique: new Set(unique.map((u) => String(u.attname))),
        missingPrivileges: priv.filter((p) => p.ok !== 't' && p.ok !== true).map((p) => String(p.p)),
      }
    },
    async tryLock(): Promise<LockHolder | null> {
      const [r] = await run(`SELECT pg_try_advisory_lock(hashtext('crmsync publish'), hashtext(?)) AS ok`, [schema])
      if (r.ok === 't' || r.ok === true) return null
      return {who: `schema ${schema}`, stale: 'its lock is released when its database session ends, also when it is killed'}
    },
    query: run,
    append,
    async transaction<T>(fn: (tx: TargetTx) => Promise<T>): Promise<T> {
      await client.query('BEGIN')
      try {
        const out = await fn({query: run, append})
        await client.query('COMMIT')
        return out
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined)
        throw e
      }
    },
    param(family: ColumnFamily, value: string | null): unknown {
      if (family === 'integer' && (value === 'true' || value === 'false')) return value === 'true' ? '1' : '0' // a bool field in an integer column
      return value
    },
    inList(expr: string, family: 'text' | 'integer', values: string[]): SqlPart {
      return {sql: `${expr} = ANY(?::${FAMILY_TYPE[family]}[])`, params: [values]}
    },
    rowSource(alias: string, cols: SourceColumn[], rows: unknown[][]): SqlPart {
      const arrays = cols.map((_, i) => rows.map((r) => r[i]))
      return {sql: `unnest(${cols.map((c) => `?::${arrayOf(c)}`).join(', ')}) AS ${alias}(${cols.map((_, i) => `c${i}`).join(', ')})`, params: arrays}
    },
    async close(): Promise<void> {
      await client.end().catch(() => undefined)
    },
  }
}

/** Does the schema exist? */
export async function schemaExists(target: PublishTarget, schema: string): Promise<boolean> {
  return (await target.query('SELECT 1 FROM pg_namespace WHERE nspname = ?', [schema])).length > 0
}
