/**
 * The connections of a PostgreSQL store and how its transactions run.
 *
 * - A normal store takes a pooled connection per transaction (`BEGIN ... COMMIT`), so the engine's
 *   concurrent object streams write in parallel; a deadlock or serialization failure reruns it.
 * - A dry-run store holds ONE connection in ONE outer transaction that `close()` rolls back: every
 *   write method runs in a savepoint on it (one at a time), and reads go through cursors on the same
 *   connection, so they see what the dry run wrote. Nothing is ever committed.
 * Reads stream through server-side cursors in batches (bounded memory).
 */
import pg from 'pg'
import {quoteIdent} from '../identifiers.js'

/** What a transaction body is given: a connection inside the transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>
}

const TIMESTAMPTZ = 1184
const INT8 = 20
const RETRYABLE = new Set(['40P01', '40001']) // deadlock_detected, serialization_failure
const FETCH = 2000

/** Type parsers: timestamptz as ISO UTC text (what SQLite stores), bigint as a JS number (counts, run ids). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString()
    if (oid === INT8) return (v: string) => Number(v)
    return pg.types.getTypeParser(oid, format)
  },
}

/**
 * The connection settings as startup options (`-c name=value`, sent with the connection request):
 * every connection has them before its first statement, without a query of its own. (A `SET` queued
 * on pg-pool's 'connect' event runs while the pool sends the caller's first query on the same
 * client, which pg 8 warns is deprecated, once per run.) Options of the URL (`?options=`) or of
 * PGOPTIONS come first, as before.
 */
export function startupOptions(connectionString: string, settings: Record<string, string>): {connectionString: string; options: string} {
  const url = new URL(connectionString)
  const given = url.searchParams.get('options') ?? process.env.PGOPTIONS ?? ''
  url.searchParams.delete('options')
  // the server splits options at white space; a backslash escapes the next character
  const escape = (v: string): string => v.replace(/[\\\s]/g, (c) => `\\${c}`)
  const ours = Object.entries(settings).map(([k, v]) => `-c ${k}=${escape(v)}`)
  return {connectionString: url.toString(), options: [given, ...ours].filter((o) => o !== '').join(' ')}
}

export class PgSession {
  private readonly pool: pg.Pool
  /** the dry run's connection, in its outer transaction */
  private dryClient: pg.PoolClient | null = null
  /** serializes the dry run's statements on its one connection */
  private chain: Promise<unknown> = Promise.resolve()
  private cursors = 0

  constructor(
    private readonly connectionString: string,
    readonly schema: string,
    readonly mode: 'write' | 'read' | 'dry',
  ) {
    // synchronous_commit off for writers: a commit returns before its WAL reaches the disk (as the
    // SQLite store's synchronous = NORMAL): a crash of the SERVER may lose the last few commits, never
    // split a page from its checkpoint, so a rerun redoes exactly what was lost; a killed crmsync loses nothing committed
    const settings = {search_path: quoteIdent(schema), ...(mode === 'read' ? {default_transaction_read_only: 'on'} : {synchronous_commit: 'off'})}
    this.pool = new pg.Pool({...startupOptions(connectionString, settings), max: mode === 'dry' ? 1 : 6, connectionTimeoutMillis: 10_000, types})
    this.pool.on('error', () => undefined) // an idle connection dropped by the server: the next checkout reconnects
  }

  /** Connect (and, for a dry run, open the outer transaction). Throws pg's error when the server cannot be reached. */
  async connect(): Promise<void> {
    const client = await this.pool.connect()
    if (this.mode !== 'dry') {
      client.release()
      return
    }
    await client.query('BEGIN')
    this.dryClient = client
  }

  /** Run `fn` on one connection, serialized with the dry run's other statements. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => undefined)
    return run
  }

  /** One statement outside any write transaction (reads, status). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.dryClient) {
      const c = this.dryClient
      return this.exclusive(() => c.query<R>(sql, params))
    }
    return this.pool.query<R>(sql, params)
  }

  /**
   * ONE statement as its own transaction (no BEGIN/COMMIT round trips; a savepoint in a dry run);
   * a deadlock or serialization failure reruns it.
   */
  async statement<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.dryClient) return this.tx((c) => c.query<R>(sql, params))
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(sql, params)
      } catch (err) {
        if (attempt < 5 && RETRYABLE.has((err as {code?: string}).code ?? '')) continue
        throw err
      }
    }
  }

  /** `fn` in one transaction (a savepoint in a dry run): committed when it returns, rolled back when it throws. */
  async tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.dryClient) {
      const c = this.dryClient
      return this.exclusive(async () => {
        await c.query('SAVEPOINT crmsync_page')
        try {
          const out = await fn(c)
          await c.query('RELEASE SAVEPOINT crmsync_page')
          return out
        } catch (err) {
          await c.query('ROLLBACK TO SAVEPOINT crmsync_page')
          throw err
        }
      })
    }
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect()
      let broken = false
      try {
        await client.query('BEGIN')
        const out = await fn(client)
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true))
        if (attempt < 5 && RETRYABLE.has((err as {code?: string}).code ?? '')) continue
        throw err
      } finally {
        client.release(broken)
      }
    }
  }

  /**
   * The rows of `sql` in batches through a server-side cursor, in a REPEATABLE READ snapshot taken
   * when iteration begins (on a connection of its own, so the caller may write meanwhile).
   */
  async *cursor<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): AsyncGenerator<R[]> {
    const name = `crmsync_cur_${++this.cursors}`
    if (this.dryClient) {
      const c = this.dryClient
      await this.exclusive(() => c.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params))
      try {
        for (;;) {
          const r = await this.exclusive(() => c.query<R>(`FETCH ${FETCH} FROM ${name}`))
          if (r.rows.length === 0) return
          yield r.rows
        }
      } finally {
        await this.exclusive(() => c.query(`CLOSE ${name}`)).catch(() => undefined)
      }
    }
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params)
      for (;;) {
        const r = await client.query<R>(`FETCH ${FETCH} FROM ${name}`)
        if (r.rows.length === 0) break
        yield r.rows
      }
      await client.query('COMMIT')
    } finally {
      await client.query('ROLLBACK').catch(() => undefined) // after an early return; a no-op after COMMIT
      client.release()
    }
  }

  /** A connection of its own, outside the pool (it holds a stream claim as long as it lives). */
  async ownClient(): Promise<pg.Client> {
    const client = new pg.Client({connectionString: this.connectionString, connectionTimeoutMillis: 10_000, types})
    client.on('error', () => undefined) // a dropped connection: its claim is gone, the query in flight fails
    await client.connect()
    return client
  }

  /** Roll back a dry run, then close every connection. */
  async close(): Promise<void> {
    const c = this.dryClient
    this.dryClient = null
    if (c) {
      await this.chain
      await c.query('ROLLBACK').catch(() => undefined)
      c.release()
    }
    await this.pool.end()
  }
}
