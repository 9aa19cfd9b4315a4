/**
 * `crmsync export`: stream an entity (or the association edges) of a store as NDJSON or CSV, to a
 * writable stream or atomically to a file (temp file, then rename).
 */
import fs from 'node:fs'
import path from 'node:path'
import {Readable, type Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {stringify} from 'csv-stringify'
import {UsageError} from '../core/errors.js'
import type {StoreReader} from '../core/store-port.js'
import {openStoreReader} from './open.js'
import {ASSOCIATIONS_ENTITY} from './read.js'

export type ExportFormat = 'ndjson' | 'csv'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv']

/** What an export wrote. */
export interface ExportResult {
  db: string
  entity: string
  format: ExportFormat
  /** records (or edges) written */
  count: number
  /** the file written, or null for stdout */
  out: string | null
}

const ASSOCIATION_COLUMNS = ['fromEntity', 'fromId', 'toEntity', 'toId', 'typeId', 'category', 'label'] as const
const RECORD_COLUMNS = ['id', 'created_at', 'updated_at', 'archived', 'archived_at']

/** Join many small strings into ~64 KB chunks so a large export is not millions of writes. */
async function* chunked(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let buf = ''
  for await (const line of lines) {
    buf += line
    if (buf.length >= 65_536) {
      yield buf
      buf = ''
    }
  }
  if (buf) yield buf
}

async function* ndjsonLines(store: StoreReader, entity: string, counter: {n: number}): AsyncGenerator<string> {
  if (entity === ASSOCIATIONS_ENTITY) {
    for await (const e of store.associations()) {
      counter.n++
      yield JSON.stringify(e) + '\n'
    }
    return
  }
  for await (const r of store.rawRecords(entity)) {
    counter.n++
    // the stored properties JSON is embedded as is: exactly what HubSpot sent
    let line = `{"id":${JSON.stringify(r.id)},"properties":${r.properties},"createdAt":${JSON.stringify(r.created_at)},"updatedAt":${JSON.stringify(r.updated_at)},"archived":${r.archived === 1}`
    if (r.archived === 1 && r.archived_at !== null) line += `,"archivedAt":${JSON.stringify(r.archived_at)}`
    yield line + '}\n'
  }
}

async function* csvRows(store: StoreReader, entity: string, props: string[], counter: {n: number}): AsyncGenerator<unknown[]> {
  if (entity === ASSOCIATIONS_ENTITY) {
    for await (const e of store.associations()) {
      counter.n++
      yield ASSOCIATION_COLUMNS.map((c) => e[c])
    }
    return
  }
  for await (const r of store.rawRecords(entity)) {
    counter.n++
    const p = JSON.parse(r.properties) as Record<string, string | null>
    yield [r.id, r.created_at, r.updated_at, r.archived === 1 ? 'true' : 'false', r.archived_at, ...props.map((k) => (Object.prototype.hasOwnProperty.call(p, k) ? p[k] : null))]
  }
}

/** The entity names `crmsync export` accepts for a store: its entities plus `associations`. */
export async function exportableEntities(store: StoreReader): Promise<string[]> {
  return [...(await store.entities()), ASSOCIATIONS_ENTITY]
}

/** A UsageError (exit 2) listing the valid names, unless the store has `entity` (or it is `associations`). */
async function requireExportable(store: StoreReader, entity: string): Promise<void> {
  const valid = await exportableEntities(store)
  if (valid.includes(entity)) return
  throw new UsageError(
    `unknown entity "${entity}" in store ${store.location}; valid: ${valid.join(', ')}`,
    `use one of ${valid.join(', ')}, or run \`crmsync sync ${entity}\` first if it is a configured object`,
    'UNKNOWN_ENTITY',
  )
}

/** Stream `entity` of an open store to `out`. Returns the number of records (or edges) written. */
export async function exportEntity(store: StoreReader, entity: string, format: ExportFormat, out: Writable, options: {end?: boolean} = {}): Promise<number> {
  await requireExportable(store, entity)
  const counter = {n: 0}
  if (format === 'ndjson') {
    await pipeline(Readable.from(chunked(ndjsonLines(store, entity, counter))), out, {end: options.end ?? true})
    return counter.n
  }
  const props = entity === ASSOCIATIONS_ENTITY ? [] : await store.propertyNames(entity)
  const columns = entity === ASSOCIATIONS_ENTITY ? [...ASSOCIATION_COLUMNS] : [...RECORD_COLUMNS, ...props]
  const csv = stringify({header: true, columns})
  await pipeline(Readable.from(csvRows(store, entity, props, counter)), csv, out, {end: options.end ?? true})
  return counter.n
}

function isBrokenPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EPIPE' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE'
}

/**
 * Open the store at `db` read-only and export `entity` to `outFile` (temp file + rename, so a
 * failed export leaves nothing behind) or to `stdout`.
 */
export async function exportStore(db: string, entity: string, format: ExportFormat, outFile: string | null, stdout: Writable = process.stdout): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`unknown format "${format}"`, `use --format ${EXPORT_FORMATS.join(' or --format ')}`, 'BAD_FORMAT')
  let target: string | null = null
  if (outFile !== null) {
    target = path.resolve(outFile)
    const dir = path.dirname(target)
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new UsageError(`cannot write ${target}: directory ${dir} does not exist`, `create ${dir} first or choose another --out`, 'OUT_PATH')
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new UsageError(`--out ${target} is a directory`, 'pass a file name, e.g. --out contacts.ndjson', 'OUT_PATH')
  }
  const store = await openStoreReader(db)
  try {
    await requireExportable(store, entity)
    if (target === null) {
      let count = 0
      try {
        count = await exportEntity(store, entity, format, stdout, {end: false})
      } catch (err) {
        if (!isBrokenPipe(err)) throw err // the reader went away (e.g. `| head`): not an error
      }
      return {db: store.location, entity, format, count, out: null}
    }
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`)
    try {
      const count = await exportEntity(store, entity, format, fs.createWriteStream(temp))
      fs.renameSync(temp, target)
      return {db: store.location, entity, format, count, out: target}
    } catch (err) {
      fs.rmSync(temp, {force: true})
      throw err
    }
  } finally {
    await store.close()
  }
}
