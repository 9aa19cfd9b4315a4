import {describe, expect, it} from 'vitest'
import {DEFAULT_SCHEMA, isPostgresUrl, parsePgLocation} from '../../src/store/postgres/location.js'

describe('postgres:// store locations', () => {
  it('takes the schema from ?schema= (default crmsync), strips it from the connection string, hides the password', () => {
    const loc = parsePgLocation('postgres://u:s3cret@db.example:5433/app?schema=sync_a&sslmode=require')
    expect(loc.schema).toBe('sync_a')
    expect(loc.connectionString).toBe('postgres://u:s3cret@db.example:5433/app?sslmode=require')
    expect(loc.display).toBe('postgres://u:***@db.example:5433/app?schema=sync_a&sslmode=require')
    expect(parsePgLocation('postgresql://u@h/db').schema).toBe(DEFAULT_SCHEMA)
    expect(isPostgresUrl('POSTGRES://h/db')).toBe(true)
    expect(isPostgresUrl('./crmsync.db')).toBe(false)
    expect(isPostgresUrl('postgres.db')).toBe(false)
  })

  it('refuses a malformed URL, two schemas or an over-long schema with exit 2, never echoing the password', () => {
    for (const bad of ['postgres://u:s3cret@[::1/db', 'postgres://u:s3cret@h/db?schema=a&schema=b', `postgres://u:s3cret@h/db?schema=${'x'.repeat(64)}`, 'postgres://u:s3cret@h/db?schema=']) {
      let err: unknown
      try {
        parsePgLocation(bad)
      } catch (e) {
        err = e
      }
      expect(err, bad).toMatchObject({exitCode: 2, options: {code: 'STORE_URL'}})
      expect(String((err as Error).message) + String((err as {options: {suggestion: string}}).options.suggestion)).not.toContain('s3cret')
    }
  })
})
