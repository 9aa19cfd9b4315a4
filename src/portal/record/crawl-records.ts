/** Recorder step 2: every record of an entity (live, then archived) with all its properties. */
import {CrmsyncError} from '../../core/errors.js'
import type {ApiClient} from '../../core/http-types.js'
import {LIMITS, PATHS} from '../../connectors/hubspot/objects.js'
import type {Redactor} from '../redact.js'
import {compareIds} from '../../core/ids.js'
import type {CrmRecord, PropertyDefinition} from '../../core/records.js'
import type {ListProgress, RecordState, RecordedObjectType, WorkFolder} from './work-state.js'

interface ListBody {
  results?: CrmRecord[]
  paging?: {next?: {after?: string}}
}

/**
 * Splits property names into chunks whose list URL (base, path, limit, a 20-digit `after`,
 * `archived`, encoded `properties`) stays under `maxUrl` characters.
 */
export function chunkProperties(names: string[], baseUrl: string, path: string, maxUrl: number = LIMITS.maxUrlLength): string[][] {
  const fixed = `${baseUrl}${path}?limit=100&after=${'9'.repeat(20)}&archived=false&properties=`.length + 32
  const chunks: string[][] = []
  let cur: string[] = []
  let len = fixed
  for (const n of names) {
    const add = encodeURIComponent(n).length + (cur.length > 0 ? 3 : 0)
    if (cur.length > 0 && len + add > maxUrl) {
      chunks.push(cur)
      cur = []
      len = fixed
    }
    len += encodeURIComponent(n).length + (cur.length > 0 ? 3 : 0)
    cur.push(n)
  }
  if (cur.length > 0 || chunks.length === 0) chunks.push(cur)
  return chunks
}

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
  const path = PATHS.list(ot.objectTypeId)
  const chunks = chunkProperties(ot.properties.map((p) => p.name), d.baseUrl, path, d.maxUrlLength)
  const defs = new Map<string, PropertyDefinition>(ot.properties.map((p) => [p.name, p]))
  const file = d.work.openAppend(listFile(ot.name, archived), progress.bytes)
  let lastId: string | null = null
  try {
    while (!progress.done) {
      d.signal?.throwIfAborted()
      const page = async (chunk: string[]): Promise<ListBody> => {
        const query = {limit: LIMITS.listPageMax, after: progress.after ?? undefined, archived, properties: chunk.length ? chunk.join(',') : undefined}
        return (await d.api.request<ListBody>({method: 'GET', path, query}, d.signal)).body ?? {}
      }
      const first = await page(chunks[0])
      const records = (first.results ?? []).map(normalize)
      const byId = new Map(records.map((r) => [r.id, r]))
      for (const chunk of chunks.slice(1)) {
        for (const r of (await page(chunk)).results ?? []) {
          const target = byId.get(r.id)
          if (target) Object.assign(target.properties, r.properties ?? {})
        }
      }
      for (const r of records) {
        if (lastId !== null && compareIds(r.id, lastId) <= 0) {
          throw new CrmsyncError(`the list of ${ot.name} returned id ${r.id} after ${lastId}: pages must come in increasing id order`, {code: 'LIST_ORDER'})
        }
        lastId = r.id
      }
      const next = first.paging?.next?.after ?? null
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
