/**
 * What only the PostgreSQL store has: typed columns with PostgreSQL types, jsonb, its migrations and
 * refusals, and CLI errors that never show the URL's password. The meaning shared with SQLite is in
 * test/conformance/store-port.test.ts.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openPostgresStore} from '../../src/store/postgres/open.js'
import {MAX_PG_TYPED_COLUMNS} from '../../src/store/postgres/entity-table.js'
import {exportEntity} from '../../src/store/export.js'
import {PassThrough} from 'node:stream'
import {PG_SCHEMA_VERSION} from '../../src/store/postgres/migrations.js'
import {PgSession} from '../../src/store/postgres/session.js'
import {runCli} from '../conformance/sync-harness.js'
import {dropSchemas, PG_BASE, pgAvailable, storeUrl, uniqueSchema, withPg} from '../helpers/postgres.js'
import {prop, rec} from '../unit/store-helpers.js'

let ok = false
const schemas: string[] = []
const fresh = (tag: string): {schema: string; url: string} => {
  const schema = uniqueSchema(tag)
  schemas.push(schema)
  return {schema, url: storeUrl(schema)}
}
beforeAll(async () => {
  ok = await pgAvailable()
})
afterAll(() => dropSchemas(schemas))

const q = (s: string) => `"${s}"`

describe('PostgreSQL store', () => {
  it("each connection has its settings from startup options, none from a query on connect: schema (any name), read-only or synchronous_commit off, the URL's own options kept", async (t) => {
    if (!ok) return t.skip()
    const {schema} = fresh('opt "odd\\ name')
    await withPg((c) => c.query(`CREATE SCHEMA ${q(schema.replace(/"/g, '""'))}`))
    const url = new URL(PG_BASE)
    url.searchParams.set('options', '-c application_name=crmsync\\ test')
    for (const mode of ['read', 'write'] as const) {
      const session = new PgSession(url.toString(), schema, mode)
      try {
        await session.connect()
        const show = async (name: string) => (await session.query<{v: string}>(`SELECT current_setting($1) AS v`, [name])).rows[0].v
        expect(await show('search_path')).toBe(`"${schema.replace(/"/g, '""')}"`)
        expect((await session.query<{s: string}>('SELECT current_schema() AS s')).rows[0].s).toBe(schema)
        expect(await show('default_transaction_read_only')).toBe(mode === 'read' ? 'on' : 'off')
        expect(await show('synchronous_commit')).toBe(mode === 'read' ? 'on' : 'off')
        expect(await show('application_name')).toBe('crmsync test')
      } finally {
        await session.close()
      }
    }
  })

  it('types mapped properties as numeric (exact), boolean, date, timestamptz and text; raw properties also as jsonb', async (t) => {
    if (!ok) return t.skip()
    const {schema, url} = fresh('typed')
    const store = await openPostgresStore(url)
    try {
      await store.ensureEntity({entity: 'deals', properties: [prop('amount', 'number'), prop('won', 'bool'), prop('closedate', 'date'), prop('hs_lastmodifieddate', 'datetime'), prop('dealname')]})
      await store.applyRecords(
        'deals',
        'deals',
        [
          rec('1', {amount: '0.1000000000000000055511151231257827', won: 'true', closedate: '1572480000000', hs_lastmodifieddate: '2019-10-31T02:00:00+02:00', dealname: 'A'}),
          rec('2', {amount: '1e3', won: 'no', closedate: '2024-02-30', hs_lastmodifieddate: 'soon', dealname: 'nul\u0000inside'}),
          rec('3', {amount: '12345678901234567890.000000000000000001', won: 'maybe', closedate: '2024-05-06', hs_lastmodifieddate: '1572480000123', dealname: null}),
        ],
        null,
      )
    } finally {
      await store.close()
    }
    const rows = await withPg(async (c) => {
      const types = await c.query(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'obj_deals' AND column_name LIKE 'p\\_%' ORDER BY column_name`,
        [schema],
      )
      const data = await c.query(
        `SELECT id, p_amount::text AS amount, p_won AS won, p_closedate::text AS closedate, to_char(p_hs_lastmodifieddate AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS modified, p_dealname AS dealname, properties->>'dealname' AS json_name FROM ${q(schema)}.obj_deals ORDER BY id`,
      )
      const sum = await c.query(`SELECT sum(p_amount)::text AS s FROM ${q(schema)}.obj_deals`)
      return {types: types.rows, data: data.rows, sum: sum.rows[0].s}
    })
    expect(rows.types).toEqual([
      {column_name: 'p_amount', data_type: 'numeric'},
      {column_name: 'p_closedate', data_type: 'date'},
      {column_name: 'p_dealname', data_type: 'text'},
      {column_name: 'p_hs_lastmodifieddate', data_type: 'timestamp with time zone'},
      {column_name: 'p_won', data_type: 'boolean'},
    ])
    expect(rows.data).toEqual([
      {id: '1', amount: '0.1000000000000000055511151231257827', won: true, closedate: '2019-10-31', modified: '2019-10-31 00:00:00.000', dealname: 'A', json_name: 'A'},
      // what PostgreSQL's types cannot hold is NULL (the raw value stays in the properties, jsonb NULL when it cannot hold the JSON)
      {id: '2', amount: '1000', won: false, closedate: null, modified: null, dealname: null, json_name: null},
      {id: '3', amount: '12345678901234567890.000000000000000001', won: null, closedate: '2024-05-06', modified: '2019-10-31 00:00:00.123', dealname: null, json_name: null},
    ])
    expect(rows.sum).toBe('12345678901234568890.1000000000000000065511151231257827') // no float on the way
  })

  it('back-fills a typed column added later, and re-types a column whose type changed', async (t) => {
    if (!ok) return t.skip()
    const {schema, url} = fresh('backfill')
    const store = await openPostgresStore(url)
    try {
      await store.ensureEntity({entity: 'contacts', properties: []})
      const many = Array.from({length: 2500}, (_, i) => rec(String(i + 1), {score: String(i), Email: `e${i}@x.io`, email: `low${i}`}))
      await store.applyRecords('contacts', 'contacts', many, null)
      await store.ensureEntity({entity: 'contacts', properties: [prop('score', 'string'), prop('Email'), prop('email')]})
      await store.ensureEntity({entity: 'contacts', properties: [prop('score', 'number'), prop('Email'), prop('email')]})
    } finally {
      await store.close()
    }
    const r = await withPg((c) => c.query(`SELECT count(*)::int AS n, sum(p_score)::text AS s, max(p_email COLLATE "C") AS a, max(p_email_2 COLLATE "C") AS b FROM ${q(schema)}.obj_contacts`))
    expect(r.rows[0]).toEqual({n: 2500, s: String((2499 * 2500) / 2), a: 'e9@x.io', b: 'low999'})
  })

  it('an entity with 1,700 properties: the first 1,580 get typed columns (PostgreSQL allows 1,600 per table), all are stored and exported', async (t) => {
    if (!ok) return t.skip()
    const {schema, url} = fresh('wide')
    const name = (i: number) => `p${String(i).padStart(4, '0')}`
    const props = Array.from({length: 1700}, (_, i) => prop(name(i), i % 2 ? 'number' : 'string'))
    const store = await openPostgresStore(url)
    try {
      await store.ensureEntity({entity: 'contacts', properties: props})
      const values = Object.fromEntries(props.map((p, i) => [p.name, String(i)]))
      expect(await store.applyRecords('contacts', 'contacts', [rec('1', values)], null)).toMatchObject({inserted: 1})
      await store.ensureEntity({entity: 'contacts', properties: [...props, prop('zz_new')]}) // a later sync with more still fits
      const sink = new PassThrough()
      let text = ''
      sink.on('data', (d) => (text += d))
      await exportEntity(store, 'contacts', 'ndjson', sink)
      expect(JSON.parse(text).properties[name(1699)]).toBe('1699')
    } finally {
      await store.close()
    }
    const typed = await withPg((c) => c.query<{n: number}>(`SELECT count(*)::int AS n FROM ${q(schema)}.property_columns WHERE entity = 'contacts'`))
    expect(typed.rows[0].n).toBe(MAX_PG_TYPED_COLUMNS)
    expect(MAX_PG_TYPED_COLUMNS).toBe(1580)
  }, 120_000)

  it('refuses a newer schema before touching anything, and a schema of another program', async (t) => {
    if (!ok) return t.skip()
    const {schema, url} = fresh('newer')
    const store = await openPostgresStore(url)
    await store.applyRecords('contacts', 'contacts', [rec('1', {})], {a: 1})
    await store.close()
    const snapshot = () => withPg(async (c) => (await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).rows.map((r) => r.table_name).join(','))
    await withPg((c) => c.query(`INSERT INTO ${q(schema)}.schema_migrations (version, name, applied_at) VALUES ($1, 'from the future', now())`, [PG_SCHEMA_VERSION + 5]))
    const before = await snapshot()
    for (const options of [{}, {readonly: true}, {dryRun: true}]) {
      await expect(openPostgresStore(url, options)).rejects.toMatchObject({
        exitCode: 2,
        options: {code: 'STORE_TOO_NEW'},
        message: expect.stringMatching(new RegExp(`schema version ${PG_SCHEMA_VERSION + 5}, newer`)),
      })
    }
    expect(await snapshot()).toBe(before)
    const r = await runCli(['sync', 'status', '--db', url], {})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/newer than this crmsync understands/)

    const foreign = fresh('foreign')
    await withPg((c) => c.query(`CREATE SCHEMA ${q(foreign.schema)}; CREATE TABLE ${q(foreign.schema)}.orders (id int)`))
    await expect(openPostgresStore(foreign.url)).rejects.toMatchObject({exitCode: 2, options: {code: 'NOT_A_STORE'}})
    expect(await withPg(async (c) => (await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`, [foreign.schema])).rows[0].n)).toBe(1)
  })

  it('several processes opening one fresh store at once migrate it once', async (t) => {
    if (!ok) return t.skip()
    const {schema, url} = fresh('race')
    const stores = await Promise.all(Array.from({length: 4}, () => openPostgresStore(url)))
    await Promise.all(stores.map((s, i) => s.ensureEntity({entity: 'contacts', properties: [prop(`p${i}`)]})))
    await Promise.all(stores.map((s) => s.close()))
    const r = await withPg((c) =>
      c.query(
        `SELECT (SELECT count(*)::int FROM ${q(schema)}.schema_migrations) AS migrations, (SELECT count(*)::int FROM ${q(schema)}.property_columns) AS columns, (SELECT count(*)::int FROM ${q(schema)}.entities) AS entities`,
      ),
    )
    expect(r.rows[0]).toEqual({migrations: PG_SCHEMA_VERSION, columns: 4, entities: 1}) // each migration applied once
  })

  it('CLI: a missing store, a malformed URL or an unreachable server exit 2 without the password', async (t) => {
    if (!ok) return t.skip()
    const base = new URL(PG_BASE)
    const withPassword = (schema: string) => `postgres://${base.username || 'postgres'}:s3cret-pw@${base.host}${base.pathname}?schema=${schema}`
    const cases: Array<[string[], RegExp]> = [
      [['export', 'contacts', '--db', withPassword(uniqueSchema('missing'))], /no crmsync store at postgres:\/\/\w+:\*\*\*@/],
      [['sync', 'status', '--db', withPassword(uniqueSchema('missing'))], /no crmsync store at/],
      [['export', 'contacts', '--db', 'postgres://u:s3cret-pw@[::1/db'], /not a valid PostgreSQL URL/],
      [['sync', 'status', '--db', 'postgres://u:s3cret-pw@127.0.0.1:9/test'], /cannot connect to the PostgreSQL store postgres:\/\/u:\*\*\*@127\.0\.0\.1:9/],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(args, {})
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr.replace(/\s*\n\s*›?\s*/g, ' ')).toMatch(message) // oclif wraps long lines
      expect(r.stdout + r.stderr).not.toContain('s3cret-pw')
    }
  })
})
