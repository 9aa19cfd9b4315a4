/** Recorder step 2: every record of an entity (live, then archived) with all its properties. */
import {CrmsyncError} from '../../core/errors.js'
import type {ApiClient} from '../../core/http-types.js'
import {hubspotObjectApi} from '../../connectors/hubspot/object-api.js'
import {LIMITS} from '../../connectors/hubspot/objects.js'
import type {Redactor} from '../redact.js'
import {compareIds} from '../../core/ids.js'
import type {CrmRecord, PropertyDefinition} from '../../core/records.js'
import type {ListProgress, RecordState, RecordedObjectType, WorkFolder} from './work-state.js'

/** Work file of one list crawl. */
export function listFile(entity: string, archived: boolean): string {
  return `${entity}.${archived ? 'archived' : 'live'}.ndjson`
}

export interface CrawlDeps {
  api: ApiClient
  baseUrl: string
  maxUrlLength?: number
  work: WorkFolder
  state: RecordState
  redactor: Redactor
  signal?: AbortSignal
  onPage?: (entity: string, archived: boolean, count: number) => void
}

/** Crawls one entity's live or archived records into its work file, resuming from the state. */
export async function crawlRecords(d: CrawlDeps, ot: RecordedObjectType, archived: boolean): Promise<void> {
  const key = `${ot.name}:${archived ? 'archived' : 'live'}`
  const progress: ListProgress = (d.state.lists[key] ??= {after: null, done: false, bytes: 0, count: 0})
  if (progress.done) return
  // the connector's object API: properties chunked to fit the URL, the rest merged by id
  const objects = hubspotObjectApi(d.api, ot.objectTypeId, '', {baseUrl: d.baseUrl, maxUrlLength: d.maxUrlLength})
  const properties = ot.properties.map((p) => p.name)
  const defs = new Map<string, PropertyDefinition>(ot.properties.map((p) => [p.name, p]))
  const file = d.work.openAppend(listFile(ot.name, archived), progress.bytes)
  let lastId: string | null = null
  try {
    while (!progress.done) {
      d.signal?.throwIfAborted()
      const page = await objects.listPage({after: progress.after, limit: LIMITS.listPageMax, archived, properties}, d.signal)
      const records = (page.results as CrmRecord[]).map(normalize)
      for (const r of records) {
        if (lastId !== null && compareIds(r.id, lastId) <= 0) {
          throw new CrmsyncError(`the list of ${ot.name} returned id ${r.id} after ${lastId}: pages must come in increasing id order`, {code: 'LIST_ORDER'})
        }
        lastId = r.id
      }
      const next = page.after
      if (next !== null && next === progress.after) throw new CrmsyncError(`the list of ${ot.name} returned the same cursor twice (${next}): stopping instead of looping`, {code: 'CURSOR_LOOP'})
      progress.bytes = file.append(records.map((r) => JSON.stringify(d.redactor.record(r, defs))))
      progress.count += records.length
      progress.after = next
      progress.done = next === null
      d.work.save(d.state, {throttle: !progress.done})
      d.onPage?.(ot.name, archived, progress.count)
    }
  } finally {
    file.close()
  }
}

function normalize(r: CrmRecord): CrmRecord {
  const out: CrmRecord = {id: String(r.id), properties: {...(r.properties ?? {})}, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived === true}
  if (r.archivedAt) out.archivedAt = r.archivedAt
  return out
}
