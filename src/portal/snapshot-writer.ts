/**
 * Streaming writer of a portal snapshot folder (docs/portal-format.md). Writes into
 * `<dir>.tmp-<pid>`, writes manifest.json last, then renames the folder into place, so an
 * interrupted run never leaves a folder that looks like a complete snapshot.
 */
import {existsSync, statSync} from 'node:fs'
import {mkdir, readdir, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import {CrmsyncError, UsageError} from '../core/errors.js'
import {staleTempOf, sweepStale} from '../core/temp-cleanup.js'
import {LineSink} from './line-sink.js'
import {ASSOCIATIONS_BASENAME, FORMAT_VERSION, MANIFEST_FILE, compareAssociationRows, dataFileName, isCanonicalPair, isValidId, toolVersion} from './snapshot-format.js'
import {compareIds} from '../core/ids.js'
import {associationRowLine, recordLine} from './snapshot-serialize.js'
import type {ObjectTypeManifest, PortalManifest} from './types.js'
import type {AssociationRow, AssociationTypeDef, CrmRecord, PropertyDefinition} from '../core/records.js'

export interface PortalWriterOptions {
  portalId: number
  gzip?: boolean
  source?: PortalManifest['source']
  /** ISO timestamp stored in the manifest; defaults to now (pass one for byte-identical output) */
  capturedAt?: string
  /** replace an existing non-empty folder (it is only removed once the new snapshot is complete) */
  overwrite?: boolean
}

export interface ObjectTypeInput {
  name: string
  objectTypeId: string
  fullyQualifiedName?: string
  properties: PropertyDefinition[]
  schema?: Record<string, unknown>
}

export interface PortalWriter {
  /** Registers an object type (and creates its record file); call before writing its records. */
  addObjectType(def: ObjectTypeInput): void
  setAssociationTypes(types: AssociationTypeDef[]): void
  /** Appends a record; ids must be strictly increasing per entity (compared as big integers). */
  writeRecord(entity: string, record: CrmRecord): Promise<void>
  /** Appends an association row; rows must be strictly increasing in canonical order. */
  writeAssociation(row: AssociationRow): Promise<void>
  /** Flushes, writes manifest.json last and renames the folder into place. */
  finish(): Promise<PortalManifest>
  /** Removes the temporary folder. */
  abort(): Promise<void>
}

const DONE: Promise<void> = Promise.resolve()
const PROPERTY_TYPES = new Set<string>(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'])

interface EntityState {
  def: ObjectTypeInput
  file: string
  sink: LineSink
  count: number
  archivedCount: number
  lastId: string | null
}

/** Checks that `dir` can receive a snapshot; UsageError (exit 2) naming the fix otherwise. */
export async function assertWritableTarget(dir: string, overwrite: boolean): Promise<void> {
  if (!existsSync(dir)) return
  const st = statSync(dir)
  if (!st.isDirectory()) throw new UsageError(`Output path ${dir} exists and is not a folder.`, 'Choose a folder path that does not exist yet (or an empty folder).', 'OUT_NOT_A_FOLDER')
  if (!overwrite && (await readdir(dir)).length > 0) {
    throw new UsageError(`Output folder ${dir} already exists and is not empty.`, 'Choose another folder, empty it, or pass --force to replace it.', 'OUT_NOT_EMPTY')
  }
}

/** Starts writing a snapshot into `dir` (validated up front; nothing is created when it fails). */
export async function createPortalWriter(dir: string, opts: PortalWriterOptions): Promise<PortalWriter> {
  if (!Number.isSafeInteger(opts.portalId) || opts.portalId <= 0)
    throw new UsageError(`Portal id must be a positive integer, got ${opts.portalId}.`, 'Pass a numeric HubSpot portal (hub) id.', 'BAD_PORTAL_ID')
  const target = resolve(dir)
  await assertWritableTarget(target, opts.overwrite ?? false)
  const tmp = join(dirname(target), `${basename(target)}.tmp-${process.pid}`)
  sweepStale(dirname(target), staleTempOf(basename(target)))
  await rm(tmp, {recursive: true, force: true})
  await mkdir(tmp, {recursive: true})
  return new Writer(target, tmp, opts)
}

class Writer implements PortalWriter {
  private readonly gzip: boolean
  private readonly entities = new Map<string, EntityState>()
  private readonly assocSink: LineSink
  private assocCount = 0
  private lastAssoc: AssociationRow | null = null
  private associationTypes: AssociationTypeDef[] = []
  private state: 'open' | 'finished' | 'aborted' = 'open'

  constructor(
    private readonly target: string,
    private readonly tmp: string,
    private readonly opts: PortalWriterOptions,
  ) {
    this.gzip = opts.gzip ?? false
    this.assocSink = new LineSink(join(tmp, dataFileName(ASSOCIATIONS_BASENAME, this.gzip)), this.gzip)
  }

  addObjectType(def: ObjectTypeInput): void {
    this.assertOpen()
    if (!/^[a-z][a-z0-9_]*$/.test(def.name) || def.name === ASSOCIATIONS_BASENAME)
      throw new CrmsyncError(`Invalid entity name "${def.name}": use lowercase letters, digits and _ (not "associations").`)
    if (this.entities.has(def.name)) throw new CrmsyncError(`Object type ${def.name} was added twice.`)
    if (!/^\d+-\d+$/.test(def.objectTypeId)) throw new CrmsyncError(`Object type ${def.name} has objectTypeId "${def.objectTypeId}": expected the form 0-1 or 2-12345.`)
    for (const p of def.properties) {
      if (typeof p.name !== 'string' || p.name === '' || !PROPERTY_TYPES.has(p.type))
        throw new CrmsyncError(`Property ${JSON.stringify(p.name)} of ${def.name} has type ${JSON.stringify(p.type)}: expected one of ${[...PROPERTY_TYPES].join(', ')}.`)
    }
    const file = dataFileName(def.name, this.gzip)
    this.entities.set(def.name, {def, file, sink: new LineSink(join(this.tmp, file), this.gzip), count: 0, archivedCount: 0, lastId: null})
  }

  setAssociationTypes(types: AssociationTypeDef[]): void {
    this.assertOpen()
    this.associationTypes = types.map((t) => ({fromType: t.fromType, toType: t.toType, category: t.category, typeId: t.typeId, label: t.label, inverseTypeId: t.inverseTypeId}))
  }

  writeRecord(entity: string, record: CrmRecord): Promise<void> {
    try {
      return this.sinkRecord(entity, record) ?? DONE
    } catch (err) {
      return Promise.reject(err)
    }
  }

  private sinkRecord(entity: string, record: CrmRecord): Promise<void> | undefined {
    this.assertOpen()
    const st = this.entities.get(entity)
    if (!st) throw new CrmsyncError(`Unknown object type ${entity}: call addObjectType first.`)
    if (!isValidId(record.id)) throw new CrmsyncError(`Record id ${JSON.stringify(record.id)} of ${entity} is not a digit string.`)
    if (st.lastId !== null && compareIds(record.id, st.lastId) <= 0) {
      throw new CrmsyncError(`Records of ${entity} must be written in strictly increasing id order: got ${record.id} after ${st.lastId}.`)
    }
    const line = recordLine(entity, record)
    st.lastId = record.id
    st.count++
    if (record.archived) st.archivedCount++
    return st.sink.writeLine(line)
  }

  writeAssociation(row: AssociationRow): Promise<void> {
    try {
      return this.sinkAssociation(row) ?? DONE
    } catch (err) {
      return Promise.reject(err)
    }
  }

  private sinkAssociation(row: AssociationRow): Promise<void> | undefined {
    this.assertOpen()
    if (!isCanonicalPair(row.fromType, row.toType))
      throw new CrmsyncError(`Association ${row.fromType}→${row.toType} is not a canonical pair: store each edge once, in the direction listed in ASSOCIATION_PAIRS.`)
    for (const t of [row.fromType, row.toType]) if (!this.entities.has(t)) throw new CrmsyncError(`Association refers to object type ${t}, which was not added: call addObjectType first.`)
    if (!isValidId(row.fromId) || !isValidId(row.toId)) throw new CrmsyncError(`Association ids must be digit strings, got ${JSON.stringify(row.fromId)}→${JSON.stringify(row.toId)}.`)
    if (this.lastAssoc && compareAssociationRows(row, this.lastAssoc) <= 0) {
      const l = this.lastAssoc
      throw new CrmsyncError(
        `Association rows must be strictly increasing by (fromType, fromId, toType, toId): got ${row.fromType}/${row.fromId}→${row.toType}/${row.toId} after ${l.fromType}/${l.fromId}→${l.toType}/${l.toId}.`,
      )
    }
    const line = associationRowLine(row)
    this.lastAssoc = {fromType: row.fromType, fromId: row.fromId, toType: row.toType, toId: row.toId, types: []}
    this.assocCount++
    return this.assocSink.writeLine(line)
  }

  async finish(): Promise<PortalManifest> {
    this.assertOpen()
    this.state = 'finished'
    try {
      const objects: ObjectTypeManifest[] = []
      for (const st of this.entities.values()) {
        await st.sink.close()
        const {name, objectTypeId, fullyQualifiedName, properties, schema} = st.def
        const o: ObjectTypeManifest = {
          name,
          objectTypeId,
          ...(fullyQualifiedName !== undefined ? {fullyQualifiedName} : {}),
          file: st.file,
          count: st.count,
          archivedCount: st.archivedCount,
          properties,
          ...(schema !== undefined ? {schema} : {}),
        }
        objects.push(o)
      }
      await this.assocSink.close()
      const manifest: PortalManifest = {
        formatVersion: FORMAT_VERSION,
        portalId: this.opts.portalId,
        capturedAt: this.opts.capturedAt ?? new Date().toISOString(),
        tool: {name: 'crmsync', version: toolVersion()},
        ...(this.opts.source ? {source: this.opts.source} : {}),
        gzip: this.gzip,
        objects,
        associations: {file: dataFileName(ASSOCIATIONS_BASENAME, this.gzip), count: this.assocCount},
        associationTypes: this.associationTypes,
      }
      await writeFile(join(this.tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
      await this.moveIntoPlace()
      return manifest
    } catch (err) {
      await rm(this.tmp, {recursive: true, force: true})
      throw err
    }
  }

  private async moveIntoPlace(): Promise<void> {
    await assertWritableTarget(this.target, this.opts.overwrite ?? false)
    if (!existsSync(this.target)) {
      await rename(this.tmp, this.target)
      return
    }
    const old = `${this.target}.old-${process.pid}`
    await rm(old, {recursive: true, force: true})
    await rename(this.target, old)
    await rename(this.tmp, this.target)
    await rm(old, {recursive: true, force: true})
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'aborted'
    await Promise.all([...[...this.entities.values()].map((s) => s.sink.destroy()), this.assocSink.destroy()])
    await rm(this.tmp, {recursive: true, force: true})
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new CrmsyncError(`This portal writer is already ${this.state}.`)
  }
}
