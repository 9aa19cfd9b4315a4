/**
 * Streaming reader of a portal snapshot folder: records and association rows are read line by
 * line from (optionally gzip-compressed) NDJSON, never whole files, and their order is checked.
 */
import {createReadStream} from 'node:fs'
import {join, resolve} from 'node:path'
import {createGunzip} from 'node:zlib'
import {UsageError} from '../core/errors.js'
import {loadManifest} from './snapshot-manifest.js'
import {compareAssociationRows, isValidId} from './snapshot-format.js'
import {compareIds} from '../core/ids.js'
import type {ObjectTypeManifest, PortalManifest} from './types.js'
import type {AssociationRow, CrmRecord} from '../core/records.js'

export type ArchivedFilter = 'include' | 'only' | 'exclude'

export interface PortalReader {
  readonly dir: string
  readonly manifest: PortalManifest
  /** The manifest entry of an entity; UsageError if the snapshot has no such object type. */
  objectType(entity: string): ObjectTypeManifest
  /** Records of an entity in id order, streamed; archived ones included by default. */
  records(entity: string, opts?: {archived?: ArchivedFilter}): AsyncIterable<CrmRecord>
  /** Association rows in canonical order, streamed. */
  associations(): AsyncIterable<AssociationRow>
}

/** Opens and validates a snapshot folder; UsageError (exit 2) naming the file and the fix. */
export async function openPortal(dir: string): Promise<PortalReader> {
  const abs = resolve(dir)
  const manifest = await loadManifest(abs)
  return new Reader(abs, manifest)
}

const corrupt = (file: string, line: number, what: string): UsageError =>
  new UsageError(`${file} line ${line}: ${what}.`, 'The snapshot is corrupt: re-create it with `crmsync portal generate` or `crmsync portal record`.', 'PORTAL_CORRUPT')

/** Yields the non-empty lines of a file with their 1-based line numbers. */
async function* lines(path: string, gzip: boolean): AsyncGenerator<[string, number]> {
  const file = createReadStream(path, {highWaterMark: 1 << 16})
  const input = gzip ? file.pipe(createGunzip({chunkSize: 1 << 16})) : file
  if (gzip) file.on('error', (e) => input.destroy(e))
  input.setEncoding('utf8')
  let rest = ''
  let n = 0
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      let start = 0
      let nl = chunk.indexOf('\n')
      while (nl !== -1) {
        const line = rest + chunk.slice(start, nl)
        rest = ''
        n++
        if (line.length > 0) yield [line, n]
        start = nl + 1
        nl = chunk.indexOf('\n', start)
      }
      rest += chunk.slice(start)
    }
  } catch (err) {
    throw new UsageError(`Cannot read ${path}: ${(err as Error).message}.`, 'The snapshot is corrupt: re-create it with `crmsync portal generate` or `crmsync portal record`.', 'PORTAL_CORRUPT')
  } finally {
    file.destroy()
  }
  if (rest.length > 0) yield [rest, n + 1]
}

function parse(path: string, line: string, n: number): unknown {
  try {
    return JSON.parse(line)
  } catch {
    throw corrupt(path, n, 'not valid JSON')
  }
}

class Reader implements PortalReader {
  constructor(
    readonly dir: string,
    readonly manifest: PortalManifest,
  ) {}

  objectType(entity: string): ObjectTypeManifest {
    const o = this.manifest.objects.find((x) => x.name === entity)
    if (!o) {
      const known = this.manifest.objects.map((x) => x.name).join(', ') || '(none)'
      throw new UsageError(`The portal snapshot in ${this.dir} has no object type "${entity}".`, `Use one of: ${known}.`, 'UNKNOWN_ENTITY')
    }
    return o
  }

  async *records(entity: string, opts: {archived?: ArchivedFilter} = {}): AsyncGenerator<CrmRecord> {
    const type = this.objectType(entity)
    const path = join(this.dir, type.file)
    const mode = opts.archived ?? 'include'
    let last: string | null = null
    let count = 0
    let lineNo = 0
    for await (const [line, n] of lines(path, this.manifest.gzip)) {
      count++
      lineNo = n
      const r = parse(path, line, n) as CrmRecord
      if (r === null || typeof r !== 'object' || !isValidId(r.id) || typeof r.properties !== 'object' || r.properties === null)
        throw corrupt(path, n, 'not a record with a digit-string id and properties')
      if (last !== null && compareIds(r.id, last) <= 0) throw corrupt(path, n, `id ${r.id} is not greater than the previous id ${last}`)
      last = r.id
      if (mode === 'include' || (mode === 'only') === (r.archived === true)) yield r
    }
    if (count !== type.count) throw corrupt(path, lineNo, `the file holds ${count} records but manifest.json says ${type.count} (truncated or edited)`)
  }

  async *associations(): AsyncGenerator<AssociationRow> {
    const path = join(this.dir, this.manifest.associations.file)
    let last: AssociationRow | null = null
    let count = 0
    let lineNo = 0
    for await (const [line, n] of lines(path, this.manifest.gzip)) {
      count++
      lineNo = n
      const row = parse(path, line, n) as AssociationRow
      if (
        row === null ||
        typeof row !== 'object' ||
        !isValidId(row.fromId) ||
        !isValidId(row.toId) ||
        typeof row.fromType !== 'string' ||
        typeof row.toType !== 'string' ||
        !Array.isArray(row.types)
      ) {
        throw corrupt(path, n, 'not an association row')
      }
      if (last !== null && compareAssociationRows(row, last) <= 0) throw corrupt(path, n, 'association rows are out of order')
      last = row
      yield row
    }
    const expected = this.manifest.associations.count
    if (count !== expected) throw corrupt(path, lineNo, `the file holds ${count} association rows but manifest.json says ${expected} (truncated or edited)`)
  }
}
