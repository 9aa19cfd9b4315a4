/**
 * The two publish target dialects behind one face, for tests that run the same scenario on each:
 * a fresh PostgreSQL schema of this run (dropped after) or a fresh SQLite file, with the Django tables.
 */
import {join} from 'node:path'
import {PG_URL, pgSchema, sqliteTarget, type TargetDb} from './django-target.js'

export interface PublishTargetUnderTest {
  dialect: 'postgres' | 'sqlite'
  /** the `--to` (and `--schema`) arguments of publish */
  args: string[]
  db: TargetDb
  /** the DDL type of a boolean and of a timestamp column in this dialect */
  types: {bool: string; timestamp: string}
  drop(): Promise<void>
}

export async function makeTarget(dialect: 'postgres' | 'sqlite', dir: string, name: string): Promise<PublishTargetUnderTest> {
  if (dialect === 'postgres') {
    const s = await pgSchema(`crmsync_${name}`)
    return {dialect, args: ['--to', PG_URL, '--schema', s.name], db: s.db, types: {bool: 'boolean', timestamp: 'timestamptz'}, drop: s.drop}
  }
  const file = join(dir, `${name}.sqlite3`)
  const db = sqliteTarget(file)
  return {dialect, args: ['--to', file], db, types: {bool: 'bool', timestamp: 'datetime'}, drop: () => db.close()}
}

/** A boolean as either driver returns it. */
export const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't' || v === 'true'
