/**
 * Recorder step 3: associations of every canonical pair through v4 batch read, with per-record
 * paging, written once per edge in canonical order (fromType, fromId, toType, toId).
 */
import type {ApiClient} from '../../core/http-types.js'
import {readAssociations} from '../../connectors/hubspot/association-reader.js'
import {ASSOCIATION_PAIRS} from '../../connectors/hubspot/objects.js'
import {compareIds} from '../../core/ids.js'
import type {AssociationRow, AssociationType} from '../../core/records.js'
import {listFile} from './crawl-records.js'
import {mergeById, readLines} from './id-stream.js'
import type {RecordState, RecordedObjectType, WorkFolder} from './work-state.js'

export const ASSOCIATIONS_FILE = 'associations.ndjson'
/** from-records per batch-read request (HubSpot allows 1,000; smaller keeps memory low) */
const BATCH = 100

/**
 * Every target of each input id (following each record's own paging), through the connector's v4
 * reader: fromId → targets with their types.
 */
export async function readAllAssociations(
  api: ApiClient,
  fromTypeId: string,
  toTypeId: string,
  ids: string[],
  signal?: AbortSignal,
): Promise<Map<string, Array<{toId: string; types: AssociationType[]}>>> {
  const rows = await readAssociations(api, {fromType: fromTypeId, toType: toTypeId, fromEntity: fromTypeId, toEntity: toTypeId}, ids, signal)
  const out = new Map<string, Array<{toId: string; types: AssociationType[]}>>()
  for (const r of rows) {
    let list = out.get(r.fromId)
    if (!list) out.set(r.fromId, (list = []))
    list.push({toId: r.toId, types: r.types})
  }
  return out
}

/** Crawls associations for the recorded object types, resuming from the state. */
export async function crawlAssociations(api: ApiClient, work: WorkFolder, state: RecordState, signal?: AbortSignal, onBatch?: (count: number) => void): Promise<void> {
  const byName = new Map<string, RecordedObjectType>(state.objectTypes.map((o) => [o.name, o]))
  const pairs = ASSOCIATION_PAIRS.filter(([f, t]) => byName.has(f) && byName.has(t))
  const fromTypes = [...new Set(pairs.map(([f]) => f))].sort()
  const a = state.associations
  const file = work.openAppend(ASSOCIATIONS_FILE, a.bytes)
  try {
    for (const fromType of fromTypes) {
      if (a.doneFromTypes.includes(fromType)) continue
      const toTypes = pairs
        .filter(([f]) => f === fromType)
        .map(([, t]) => t)
        .sort()
      const ids = mergeById(readLines(work.path(listFile(fromType, false))), readLines(work.path(listFile(fromType, true))))
      let batch: string[] = []
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return
        signal?.throwIfAborted()
        const perTo = new Map<string, Map<string, Array<{toId: string; types: AssociationType[]}>>>()
        for (const t of toTypes) perTo.set(t, await readAllAssociations(api, byName.get(fromType)!.objectTypeId, byName.get(t)!.objectTypeId, batch, signal))
        const lines: string[] = []
        for (const fromId of batch) {
          for (const toType of toTypes) {
            const targets = [...(perTo.get(toType)!.get(fromId) ?? [])].sort((x, y) => compareIds(x.toId, y.toId))
            for (const tg of targets) {
              if (tg.types.length === 0) continue // the connector's reader gives each target once
              const row: AssociationRow = {fromType, fromId, toType, toId: tg.toId, types: tg.types}
              noteTypes(state, row)
              lines.push(JSON.stringify(row))
            }
          }
        }
        a.bytes = file.append(lines)
        a.count += lines.length
        a.lastFromId = batch[batch.length - 1]
        work.save(state, {throttle: true})
        onBatch?.(a.count)
        batch = []
      }
      for await (const {id} of ids) {
        if (a.lastFromId !== null && compareIds(id, a.lastFromId) <= 0) continue
        batch.push(id)
        if (batch.length >= BATCH) await flush()
      }
      await flush()
      a.doneFromTypes.push(fromType)
      a.lastFromId = null
      work.save(state)
    }
  } finally {
    file.close()
  }
}

/** Remembers each association type seen on an edge (kept even when the labels endpoint misses it). */
function noteTypes(state: RecordState, row: AssociationRow): void {
  const seen = (state.associations.seen[`${row.fromType}>${row.toType}`] ??= [])
  for (const t of row.types) if (!seen.some((s) => s.typeId === t.typeId && s.category === t.category)) seen.push({category: t.category, typeId: t.typeId, label: t.label})
}
