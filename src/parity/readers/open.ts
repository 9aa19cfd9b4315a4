/** Pick the reader for a `--legacy` argument: postgres:// URL, SQLite file, CSV folder or dumpdata file. */
import {existsSync, openSync, readSync, closeSync, statSync} from 'node:fs'
import {UsageError} from '../../core/errors.js'
import {redactUrl} from '../../core/redact-url.js'
import {csvSource} from './csv.js'
import {dumpdataSource} from './dumpdata.js'
import {postgresSource} from './postgres.js'
import {sqliteSource} from './sqlite.js'
import type {LegacySource} from './types.js'

/** Open the legacy snapshot named by `spec` (path or URL). */
export function openLegacy(spec: string): LegacySource {
  if (/^postgres(ql)?:\/\//i.test(spec)) return postgresSource(spec)
  if (/^[a-z]+:\/\//i.test(spec)) throw new UsageError(`unsupported legacy URL scheme in ${redactUrl(spec)}`, 'use postgres://user@host:5432/db, or a file or folder path')
  if (!existsSync(spec))
    throw new UsageError(`legacy snapshot ${spec} does not exist`, 'pass a dumpdata JSON/JSONL file (optionally .gz), a folder of CSV files, a SQLite file or a postgres:// URL with --legacy')
  if (statSync(spec).isDirectory()) return csvSource(spec)
  const fd = openSync(spec, 'r')
  const head = Buffer.alloc(16)
  try {
    readSync(fd, head, 0, 16, 0)
  } finally {
    closeSync(fd)
  }
  if (head.toString('latin1').startsWith('SQLite format 3')) return sqliteSource(spec)
  return dumpdataSource(spec)
}
