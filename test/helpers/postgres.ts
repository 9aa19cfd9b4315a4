/**
 * PostgreSQL for tests: is the server at 127.0.0.1:5432 there (skip with a message when not, but
 * FAIL under CI=true), and a store URL in a schema of its own (pid + random suffix), dropped after.
 */
import {randomBytes} from 'node:crypto'
import pg from 'pg'

export const PG_BASE = process.env.CRMSYNC_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'

let available: Promise<boolean> | undefined

/** True when the test server answers; throws under CI=true when it does not. */
export function pgAvailable(): Promise<boolean> {
  available ??= (async () => {
    const c = new pg.Client({connectionString: PG_BASE, connectionTimeoutMillis: 3000})
    try {
      await c.connect()
      await c.query('SELECT 1')
      return true
    } catch (err) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required under CI but ${PG_BASE} does not answer: ${(err as Error).message}`, {cause: err})
      console.warn(`SKIPPED: PostgreSQL tests need a server at ${PG_BASE} (${(err as Error).message})`)
      return false
    } finally {
      await c.end().catch(() => undefined)
    }
  })()
  return available
}

/** A fresh schema name: crmsync_t_<pid>_<random>. */
export function uniqueSchema(tag = 't'): string {
  return `crmsync_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/** The store URL of `schema` in the test database. */
export function storeUrl(schema: string): string {
  return `${PG_BASE}?schema=${schema}`
}

/** Run SQL on the test database (fixtures, inspection). */
export async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({connectionString: PG_BASE})
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

/** Drop the given schemas (and everything in them). */
export async function dropSchemas(schemas: Iterable<string>): Promise<void> {
  const list = [...schemas]
  if (list.length === 0) return
  await withPg(async (c) => {
    for (const s of list) await c.query(`DROP SCHEMA IF EXISTS "${s.replace(/"/g, '""')}" CASCADE`)
  })
}

/**
 * A fresh schema (`uniqueSchema(tag)`, added to `schemas` first, for `dropSchemas` afterwards)
 * created in the test database, then `fill` run on a connection whose search_path is it (a legacy
 * database's tables and rows). Returns its name and URL (`?schema=`).
 */
export async function createSchema(tag: string, schemas: string[], fill: (c: pg.Client) => Promise<unknown> = async () => undefined): Promise<{schema: string; url: string}> {
  const schema = uniqueSchema(tag)
  schemas.push(schema)
  const q = `"${schema.replace(/"/g, '""')}"`
  await withPg(async (c) => {
    await c.query(`CREATE SCHEMA ${q}`)
    await c.query(`SET search_path TO ${q}`)
    await fill(c)
  })
  return {schema, url: storeUrl(schema)}
}
