/**
 * `crmsync store copy --from URL --to URL`: move a store between SQLite and PostgreSQL (either way,
 * or between two of one kind) through the store port. Per entity: typed columns, every record
 * (tombstones included), the merged-away ids; then the association edges and the sync checkpoints.
 * Resumable: every batch is written in ONE transaction with a progress marker (`copy:<entity>`,
 * `copy:associations` checkpoints in the target), so a rerun after a crash goes on after the last
 * batch. Then the history: every run and dead letter with its id and times (`copy:history`
 * marker). Verified at the end by counts and SHA-256 checksums of the NDJSON export of both sides,
 * and of the runs and dead letters read back from both.
 */
import {createHash} from 'node:crypto'
import {Writable} from 'node:stream'
import {CrmsyncError, UsageError} from '../core/errors.js'
import {compareIds, compareStrings} from '../core/ids.js'
import type {AssociationRow, CrmRecord, PropertyDefinition} from '../core/records.js'
import type {AssociationEdge, Checkpoint, ColumnSpec, StoreHistory, StoreReader} from '../core/store-port.js'
import {exportEntity} from './export.js'
import {openStoreReader} from './open.js'
import {ASSOCIATIONS_ENTITY} from './read.js'
import {openReadWriteStore, type ReadWriteStore} from './sync-store.js'

export interface CopyOptions {
  from: string
  to: string
  /** records (or edges) per transaction; default 2,000 */
  batchSize?: number
}

/** What one side holds of one entity (or of the associations), as verified. */
export interface CopiedEntity {
  entity: string
  /** records (tombstones included) or edges, as exported */
  count: number
  merged: number
  /** SHA-256 of the NDJSON export, identical on both sides */
  sha256: string
}

/** What one side holds of its history (runs or dead letters), as verified. */
export interface CopiedHistory {
  count: number
  /** SHA-256 of the rows read back as JSON lines (ids, times and fields), identical on both sides */
  sha256: string
}

export interface CopyResult {
  from: string
  to: string
  /** the target held an unfinished copy of the same source, which was continued */
  resumed: boolean
  entities: CopiedEntity[]
  checkpoints: number
  runs: CopiedHistory
  deadLetters: CopiedHistory
  seconds: number
}

const MARK = 'copy:'
const SOURCE_MARK = `${MARK}source`

const TYPE_OF: Record<ColumnSpec['type'], PropertyDefinition['type']> = {decimal: 'number', bool: 'bool', date: 'date', datetime: 'datetime', text: 'string'}

/** Sync checkpoints of a store (copy markers left out). */
async function checkpointsOf(store: StoreReader): Promise<Map<string, Checkpoint>> {
  const out = new Map<string, Checkpoint>()
  for (const s of (await store.status()).streams) if (s.cursor !== null && !s.stream.startsWith(MARK)) out.set(s.stream, s.cursor)
  return out
}

/** Refuse a target that holds anything but an unfinished copy of this source; true when it is one. */
async function prepareTarget(target: ReadWriteStore, sourceName: string): Promise<boolean> {
  const marker = (await target.getCheckpoint(SOURCE_MARK)) as {from?: string} | null
  if (marker) {
    if (marker.from !== sourceName)
      throw new UsageError(
        `store ${target.location} holds an unfinished copy of ${marker.from}, not of ${sourceName}`,
        `continue it with --from ${marker.from}, or copy into an empty store`,
        'COPY_TARGET',
      )
    return true
  }
  const status = await target.status()
  const holds = status.totals.records + status.totals.tombstones + status.totals.associations + status.totals.deadLetters > 0 || status.lastRun !== null
  if (holds || status.streams.some((s) => s.cursor !== null || (s.merged ?? 0) > 0)) {
    throw new UsageError(`store ${target.location} is not empty`, 'copy into a new store: a missing file, or a postgres:// URL with a ?schema= of its own', 'COPY_TARGET')
  }
  await target.setCheckpoint(SOURCE_MARK, {from: sourceName})
  return false
}

interface EntityMarker {
  records?: string
  merged?: string
  done?: boolean
}

async function copyEntity(source: StoreReader, target: ReadWriteStore, entity: string, batchSize: number): Promise<void> {
  const stream = `${MARK}${entity}`
  const marker = ((await target.getCheckpoint(stream)) ?? {}) as EntityMarker
  if (marker.done) return
  const columns = (await source.columnTypes(entity)) ?? []
  await target.ensureEntity({entity, properties: columns.map((c) => ({name: c.property, label: c.property, type: TYPE_OF[c.type], fieldType: 'text'}))})
  let batch: CrmRecord[] = []
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    marker.records = batch[batch.length - 1].id
    await target.applyRecords(stream, entity, batch, {...marker})
    batch = []
  }
  const resumeAfter = marker.records
  for await (const rec of source.records(entity)) {
    if (resumeAfter !== undefined && compareIds(rec.id, resumeAfter) <= 0) continue
    batch.push(rec)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  let merges: Array<{loserId: string; survivorId: string}> = []
  const flushMerges = async (): Promise<void> => {
    if (merges.length === 0) return
    marker.merged = merges[merges.length - 1].loserId
    await target.applyMerges(stream, entity, merges, {...marker})
    merges = []
  }
  const mergedAfter = marker.merged
  for await (const m of source.mergedIds(entity)) {
    if (mergedAfter !== undefined && compareIds(m.id, mergedAfter) <= 0) continue
    merges.push({loserId: m.id, survivorId: m.mergedInto})
    if (merges.length >= batchSize) await flushMerges()
  }
  await flushMerges()
  await target.setCheckpoint(stream, {...marker, done: true})
}

/** Edges after the marker's (fromEntity, fromId), in the reader's order. */
const afterMarker = (e: AssociationEdge, m: {fromEntity: string; fromId: string}) => {
  const c = compareStrings(e.fromEntity, m.fromEntity)
  return c > 0 || (c === 0 && compareIds(e.fromId, m.fromId) > 0)
}

async function copyAssociations(source: StoreReader, target: ReadWriteStore, batchSize: number): Promise<void> {
  const stream = `${MARK}${ASSOCIATIONS_ENTITY}`
  const marker = (await target.getCheckpoint(stream)) as {fromEntity: string; fromId: string; done?: boolean} | null
  if (marker?.done) return
  let edges: AssociationEdge[] = []
  const flush = async (): Promise<void> => {
    if (edges.length === 0) return
    // one replaceAssociations per from→to pair of the batch; only the last carries the marker (a
    // rerun after a crash in between replays the batch: replacing edges is idempotent)
    const pairs = new Map<string, {fromEntity: string; toEntity: string; fromIds: Set<string>; rows: Map<string, AssociationRow>}>()
    for (const e of edges) {
      const key = `${e.fromEntity}\u0000${e.toEntity}`
      let p = pairs.get(key)
      if (!p) pairs.set(key, (p = {fromEntity: e.fromEntity, toEntity: e.toEntity, fromIds: new Set(), rows: new Map()}))
      p.fromIds.add(e.fromId)
      const rowKey = `${e.fromId}\u0000${e.toId}`
      let row = p.rows.get(rowKey)
      if (!row) p.rows.set(rowKey, (row = {fromType: e.fromEntity, fromId: e.fromId, toType: e.toEntity, toId: e.toId, types: []}))
      row.types.push({category: e.category as AssociationRow['types'][number]['category'], typeId: e.typeId, label: e.label})
    }
    const last = edges[edges.length - 1]
    const list = [...pairs.values()]
    for (const [i, p] of list.entries()) {
      await target.replaceAssociations(stream, p.fromEntity, p.toEntity, [...p.fromIds], [...p.rows.values()], i === list.length - 1 ? {fromEntity: last.fromEntity, fromId: last.fromId} : null)
    }
    edges = []
  }
  await target.beginEdgeLoad()
  for await (const e of source.associations()) {
    if (marker && !afterMarker(e, marker)) continue
    // a batch ends only between two from-records, so a from-record's edges are replaced together
    const prev = edges[edges.length - 1]
    if (edges.length >= batchSize && (prev.fromEntity !== e.fromEntity || prev.fromId !== e.fromId)) await flush()
    edges.push(e)
  }
  await flush()
  await target.endEdgeLoad()
  await target.setCheckpoint(stream, {...(marker ?? {fromEntity: '', fromId: ''}), done: true})
}

interface HistoryMarker {
  runs?: number
  deadLetters?: number
}

/** The rows of `rows` after id `after` (where a resumed copy stands), `size` at a time, to `flush`. */
async function inBatches<T extends {id: number}>(rows: Iterable<T> | AsyncIterable<T>, after: number | undefined, size: number, flush: (batch: T[]) => Promise<void>): Promise<void> {
  let batch: T[] = []
  for await (const r of rows) {
    if (after !== undefined && r.id <= after) continue
    batch.push(r)
    if (batch.length >= size) {
      await flush(batch)
      batch = []
    }
  }
  if (batch.length > 0) await flush(batch)
}

/** Runs, then dead letters (they name their run), in id order, each batch in one transaction with the marker. */
async function copyHistory(source: StoreHistory, target: ReadWriteStore, batchSize: number): Promise<void> {
  const stream = `${MARK}history`
  const marker = ((await target.getCheckpoint(stream)) ?? {}) as HistoryMarker & {done?: boolean}
  if (marker.done) return
  await inBatches(source.runHistory(), marker.runs, batchSize, async (runs) => {
    marker.runs = runs[runs.length - 1].id
    await target.importHistory(runs, [], stream, {...marker})
  })
  await inBatches(source.deadLetterHistory(), marker.deadLetters, batchSize, async (dead) => {
    marker.deadLetters = dead[dead.length - 1].id
    await target.importHistory([], dead, stream, {...marker})
  })
  await target.setCheckpoint(stream, {...marker, done: true})
}

/** Count and SHA-256 of the runs and of the dead letters, read back as JSON lines. */
async function historyFingerprint(store: StoreHistory): Promise<{runs: CopiedHistory; deadLetters: CopiedHistory}> {
  const digest = async <T>(rows: Iterable<T> | AsyncIterable<T>): Promise<CopiedHistory> => {
    const hash = createHash('sha256')
    let count = 0
    for await (const row of rows) {
      hash.update(JSON.stringify(row) + '\n')
      count++
    }
    return {count, sha256: hash.digest('hex')}
  }
  return {runs: await digest(store.runHistory()), deadLetters: await digest(store.deadLetterHistory())}
}

/** Count and SHA-256 of an entity's (or the associations') NDJSON export, and its merged ids. */
async function fingerprint(store: StoreReader, entity: string): Promise<CopiedEntity> {
  const hash = createHash('sha256')
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      done()
    },
  })
  const count = await exportEntity(store, entity, 'ndjson', sink)
  let merged = 0
  if (entity !== ASSOCIATIONS_ENTITY) for await (const _ of store.mergedIds(entity)) merged++
  return {entity, count, merged, sha256: hash.digest('hex')}
}

/** Copy the store at `from` into the (empty, or unfinished copy) store at `to`, then verify both sides. */
export async function copyStore(options: CopyOptions): Promise<CopyResult> {
  const started = performance.now()
  const batchSize = options.batchSize ?? 2000
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size ${batchSize} is not a positive integer`, 'pass e.g. --batch-size 2000')
  if (options.from === options.to) throw new UsageError('--from and --to name the same store', 'copy into another file or another ?schema=')
  const source = await openStoreReader(options.from)
  try {
    const target = await openReadWriteStore(options.to)
    try {
      const resumed = await prepareTarget(target, source.location)
      const entities = await source.entities()
      for (const e of entities) await copyEntity(source, target, e, batchSize)
      await copyAssociations(source, target, batchSize)
      await copyHistory(source, target, batchSize)
      const checkpoints = await checkpointsOf(source)
      for (const [stream, cp] of checkpoints) await target.setCheckpoint(stream, cp)
      // verify: the same counts and checksums on both sides, the same checkpoints
      const verified: CopiedEntity[] = []
      for (const e of [...entities, ASSOCIATIONS_ENTITY]) {
        const [a, b] = [await fingerprint(source, e), await fingerprint(target, e)]
        if (a.count !== b.count || a.sha256 !== b.sha256 || a.merged !== b.merged) {
          throw new CrmsyncError(
            `store copy verification failed for ${e}: source ${a.count} rows (${a.merged} merged, sha256 ${a.sha256.slice(0, 12)}), target ${b.count} (${b.merged} merged, sha256 ${b.sha256.slice(0, 12)})`,
            {
              code: 'COPY_VERIFY',
              suggestion: `the target ${target.location} is not a faithful copy: remove it and copy again into an empty store`,
            },
          )
        }
        verified.push(a)
      }
      const [had, copied] = [await historyFingerprint(source), await historyFingerprint(target)]
      for (const part of ['runs', 'deadLetters'] as const) {
        const [a, b] = [had[part], copied[part]]
        if (a.count !== b.count || a.sha256 !== b.sha256) {
          throw new CrmsyncError(
            `store copy verification failed for the ${part === 'runs' ? 'runs' : 'dead letters'}: source ${a.count} (sha256 ${a.sha256.slice(0, 12)}), target ${b.count} (sha256 ${b.sha256.slice(0, 12)})`,
            {code: 'COPY_VERIFY', suggestion: `the target ${target.location} is not a faithful copy: remove it and copy again into an empty store`},
          )
        }
      }
      const got = await checkpointsOf(target)
      if (JSON.stringify([...got].sort()) !== JSON.stringify([...checkpoints].sort()))
        throw new CrmsyncError('store copy verification failed: the checkpoints differ', {code: 'COPY_VERIFY', suggestion: 'copy again into an empty store'})
      for (const s of (await target.status()).streams) if (s.stream.startsWith(MARK)) await target.setCheckpoint(s.stream, null)
      return {
        from: source.location,
        to: target.location,
        resumed,
        entities: verified,
        checkpoints: checkpoints.size,
        runs: had.runs,
        deadLetters: had.deadLetters,
        seconds: (performance.now() - started) / 1000,
      }
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
