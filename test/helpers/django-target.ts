/**
 * The reference Django schema (shared/legacy-system.md) as plain DDL for PostgreSQL and SQLite,
 * a legacy-like starting state, and a comparable picture of the published tables. For publish tests.
 */
import Database from 'better-sqlite3'
import pg from 'pg'
import {djangoDdl} from '../../src/parity/legacy-ddl.js'

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test'

export interface TargetDb {
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  close(): Promise<void>
}

/** A PostgreSQL schema of this test run (pid + random suffix), with the Django tables; `drop()` removes it. */
export async function pgSchema(prefix: string): Promise<{name: string; url: string; db: TargetDb; drop(): Promise<void>}> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const c = new pg.Client({connectionString: PG_URL})
  await c.connect()
  await c.query(`CREATE SCHEMA "${name}"`)
  await c.query(`SET search_path TO "${name}"`)
  for (const s of djangoDdl('postgres')) await c.query(s)
  const db: TargetDb = {
    query: async (sql, params) =>
      (
        await c.query(
          sql.replace(
            /\?/g,
            (
              (i) => () =>
                `$${++i}`
            )(0),
          ),
          params,
        )
      ).rows,
    close: () => c.end(),
  }
  return {
    name,
    url: `${PG_URL}?schema=${name}`,
    db,
    drop: async () => {
      await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined)
      await c.end().catch(() => undefined)
    },
  }
}

/** Is PostgreSQL at 127.0.0.1:5432 reachable? Under CI it must be: absent there is a failure, not a skip. */
export async function pgAvailable(): Promise<boolean> {
  const c = new pg.Client({connectionString: PG_URL, connectionTimeoutMillis: 3000})
  try {
    await c.connect()
    await c.end()
    return true
  } catch (e) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL at ${PG_URL} is required under CI: ${(e as Error).message}`, {cause: e})
    console.warn(`skipping PostgreSQL publish tests: no server at ${PG_URL} (${(e as Error).message})`)
    return false
  }
}

/** A SQLite file with the Django tables. */
export function sqliteTarget(path: string): TargetDb {
  const db = new Database(path)
  db.pragma('foreign_keys = ON')
  for (const s of djangoDdl('sqlite')) db.exec(s)
  return sqliteDb(db)
}

export function sqliteDb(db: Database.Database): TargetDb {
  return {
    query: async (sql, params = []) => {
      const st = db.prepare(sql)
      if (st.reader) return st.all(...params) as Array<Record<string, unknown>>
      st.run(...params)
      return []
    },
    close: async () => void db.close(),
  }
}

const TABLES = {
  crm_division: {fks: {}},
  crm_contact: {fks: {division_id: 'crm_division'}},
  crm_deal: {fks: {division_id: 'crm_division'}},
  crm_appointment: {fks: {contact_id: 'crm_contact', deal_id: 'crm_deal', division_id: 'crm_division'}},
} as const

const text = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v))

/**
 * Every published row keyed by hubspot_id, foreign keys as the referenced hubspot_id, the
 * many-to-many as hubspot-id pairs; `last_synced_at` and the primary keys left out (sequences are
 * not transactional: a killed batch burns ids), so two equal publishes give equal pictures.
 */
export async function picture(db: TargetDb): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const [table, {fks}] of Object.entries(TABLES)) {
    const rows = await db.query(`SELECT * FROM ${table}`)
    const keyOf = new Map<string, Map<string, string>>()
    for (const t of new Set(Object.values(fks) as string[])) keyOf.set(t, new Map((await db.query(`SELECT id, hubspot_id FROM ${t}`)).map((r) => [String(r.id), String(r.hubspot_id)])))
    out[table] = rows
      .map((r) => {
        const o: Record<string, string | null> = {}
        for (const [k, v] of Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (k === 'id' || k === 'last_synced_at') continue
          o[k] = k in fks ? (v === null ? null : (keyOf.get((fks as Record<string, string>)[k])!.get(String(v)) ?? `?${v}`)) : text(v)
        }
        return JSON.stringify(o)
      })
      .sort()
  }
  out.crm_deal_contacts = (await db.query('SELECT d.hubspot_id AS d, c.hubspot_id AS c FROM crm_deal_contacts x JOIN crm_deal d ON d.id = x.deal_id JOIN crm_contact c ON c.id = x.contact_id'))
    .map((r) => `${r.d}>${r.c}`)
    .sort()
  return out
}
