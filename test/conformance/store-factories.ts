/**
 * The store implementations the conformance suite runs over (like kysely's dialects): each factory
 * hands out fresh, empty store locations and removes them afterwards. PostgreSQL stores live in a
 * schema of their own (pid + random suffix) in database `test`.
 */
import {join} from 'node:path'
import {tempDir} from './sync-harness.js'
import {dropSchemas, pgAvailable, storeUrl, uniqueSchema} from '../helpers/postgres.js'

export interface StoreFactory {
  name: 'sqlite' | 'postgres'
  /** false: the suite skips this implementation (never under CI=true) */
  available(): Promise<boolean>
  /** a location (path or URL) where no store exists yet */
  location(tag?: string): string
  /** remove every store this factory handed out */
  cleanup(): Promise<void>
}

export function sqliteFactory(): StoreFactory {
  return {
    name: 'sqlite',
    available: async () => true,
    location: (tag = 'store') => join(tempDir('crmsync-conf-'), `${tag}.db`),
    cleanup: async () => undefined,
  }
}

export function postgresFactory(): StoreFactory {
  const schemas: string[] = []
  return {
    name: 'postgres',
    available: pgAvailable,
    location: (tag = 's') => {
      const schema = uniqueSchema(`conf_${tag}`.slice(0, 12))
      schemas.push(schema)
      return storeUrl(schema)
    },
    cleanup: () => dropSchemas(schemas.splice(0)),
  }
}

/** Every implementation of the store port. */
export const STORE_FACTORIES: Array<() => StoreFactory> = [sqliteFactory, postgresFactory]
