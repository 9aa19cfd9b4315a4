/**
 * `--to` and `--schema` → a PublishTarget. A postgres:// URL is parsed here (never echoed when it
 * is malformed: it may hold a password); anything else is an existing SQLite file.
 */
import path from 'node:path'
import {UsageError} from '../../core/errors.js'
import {redactUrl} from '../readers/postgres.js'
import type {PublishTarget} from './target.js'
import {openPostgresTarget, schemaExists} from './target-postgres.js'
import {openSqliteTarget} from './target-sqlite.js'

const URL_FIX = 'write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (percent-encode special characters of the password), or pass a SQLite file path'

/** For SQLite, `--schema NAME` is the file `<name>.NAME<ext>` beside the target (app.sqlite3 → app.shadow.sqlite3). */
export function sqliteShadowPath(file: string, schema: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(schema))
    throw new UsageError(`--schema "${schema}" is not a valid shadow name for a SQLite target`, 'use letters, digits, _ or - (the shadow is the file <target>.NAME<ext> beside the target)')
  const ext = path.extname(file)
  return path.join(path.dirname(file), `${path.basename(file, ext)}.${schema}${ext}`)
}

/** Open the target named by `--to` (and `--schema`). */
export async function openTarget(to: string, schema?: string): Promise<PublishTarget> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(to)) {
    let u: URL
    try {
      u = new URL(to)
    } catch {
      throw new UsageError('the --to URL is malformed (not shown: it may hold a password)', URL_FIX, 'TARGET_URL')
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new UsageError(`unsupported --to URL scheme ${u.protocol}`, URL_FIX, 'TARGET_URL')
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''))
    if (!u.hostname || !database) throw new UsageError('the --to URL needs a host and a database (not shown: it may hold a password)', URL_FIX, 'TARGET_URL')
    const port = u.port ? Number(u.port) : 5432
    const sch = schema ?? u.searchParams.get('schema') ?? 'public'
    let password: string | undefined
    let user: string
    try {
      password = u.password ? decodeURIComponent(u.password) : undefined
      user = decodeURIComponent(u.username || process.env.PGUSER || 'postgres')
    } catch {
      throw new UsageError('the --to URL has a badly percent-encoded user or password (not shown)', URL_FIX, 'TARGET_URL')
    }
    const clean = new URL(u.toString())
    clean.password = ''
    clean.search = ''
    const describe = redactUrl(`${clean.toString()}${sch !== 'public' ? `?schema=${encodeURIComponent(sch)}` : ''}`)
    const target = await openPostgresTarget({host: u.hostname, port, user, password, database, schema: sch, describe})
    if (!(await schemaExists(target, sch))) {
      await target.close()
      throw new UsageError(
        `the publish target ${describe} has no schema ${sch}`,
        `create the shadow schema with the application's tables first (crmsync never creates them), e.g. with pg_dump --schema-only, or fix --schema`,
        'TARGET_SCHEMA',
      )
    }
    return target
  }
  const file = path.resolve(schema ? sqliteShadowPath(to, schema) : to)
  return openSqliteTarget(file)
}
