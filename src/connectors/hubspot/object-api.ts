/**
 * HubSpot's CRM object endpoints behind the core `ObjectApi`: list pages with the property list
 * chunked below the URL-length limit (the first chunk through the list URL, the rest through
 * batch read, merged by id), and keyset search pages on (modified, hs_object_id).
 */
import type {KeysetPosition, ObjectApi, RawPage} from '../../core/connector.js'
import type {ApiClient} from '../../core/http-types.js'
import {LIMITS, PATHS} from './objects.js'

interface ListBody {
  results: Array<{id: string; properties?: Record<string, unknown>}>
  paging?: {next?: {after?: string}}
}

/**
 * Splits property names into chunks whose list URL (base, path, limit, a 20-digit `after`,
 * `archived`, encoded `properties`) stays under `maxUrl` characters. Always at least one chunk
 * (possibly empty), and no name is lost.
 */
export function chunkProperties(names: string[], baseUrl: string, path: string, maxUrl: number = LIMITS.maxUrlLength): string[][] {
  const fixed = `${baseUrl}${path}?limit=100&after=${'9'.repeat(20)}&archived=false&properties=`.length + 32
  const chunks: string[][] = []
  let cur: string[] = []
  let len = fixed
  for (const n of names) {
    const add = encodeURIComponent(n).length + (cur.length > 0 ? 3 : 0) // "%2C" separator
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

/** How list URLs are sized: the client's base URL, and the longest URL to build (tests force chunking with a small one). */
export interface ObjectApiOptions {
  baseUrl?: string
  maxUrlLength?: number
}

/** Stands in for the base URL when the caller does not give it: longer than any real HubSpot host. */
const BASE_ALLOWANCE = 'https://'.padEnd(256, 'x')

function serverTime(headers: Headers): number | undefined {
  const d = headers.get('date')
  const t = d ? Date.parse(d) : Number.NaN
  return Number.isNaN(t) ? undefined : t
}

/**
 * The ObjectApi of one HubSpot object type (`type` = object type id or path segment). The sync and
 * the recorder both read objects through it.
 */
export function hubspotObjectApi(client: ApiClient, type: string, modifiedProperty: string, options: ObjectApiOptions = {}): ObjectApi {
  return {
    async listPage({after, limit, archived, properties}, signal): Promise<RawPage> {
      const [first = [], ...rest] = chunkProperties(properties, options.baseUrl ?? BASE_ALLOWANCE, PATHS.list(type), options.maxUrlLength)
      const res = await client.request<ListBody>({method: 'GET', path: PATHS.list(type), query: {limit, after: after ?? undefined, properties: first.join(','), archived}}, signal)
      const body = res.body ?? {results: []}
      const results = Array.isArray(body.results) ? body.results : []
      if (rest.length > 0 && results.length > 0) await mergeChunks(client, type, results, rest, archived, signal)
      return {results, after: body.paging?.next?.after ?? null, serverTime: serverTime(res.headers)}
    },

    async searchPage({from, limit, properties}, signal): Promise<RawPage> {
      const res = await client.request<ListBody>({method: 'POST', path: PATHS.search(type), bucket: 'search', body: searchBody(modifiedProperty, from, limit, properties)}, signal)
      const results = Array.isArray(res.body?.results) ? res.body.results : []
      return {results, after: null, serverTime: serverTime(res.headers)}
    },

    async idRangePage({above, below, limit, properties}, signal): Promise<RawPage> {
      const res = await client.request<ListBody>({method: 'POST', path: PATHS.search(type), bucket: 'search', body: idRangeBody(above, below, limit, properties)}, signal)
      const results = Array.isArray(res.body?.results) ? res.body.results : []
      return {results, after: null, serverTime: serverTime(res.headers)}
    },

    /** A `limit=1` search: its `total` counts every match (search omits archived records, so it is approximate). */
    async estimateTotal({sinceTs}, signal): Promise<number | null> {
      const body = sinceTs === null ? {limit: 1, properties: ['hs_object_id']} : searchBody(modifiedProperty, {ts: sinceTs, id: null}, 1, ['hs_object_id'])
      const res = await client.request<{total?: unknown}>({method: 'POST', path: PATHS.search(type), bucket: 'search', body}, signal)
      const total = res.body?.total
      return typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : null
    },
  }
}

/**
 * The keyset search request: `(modified = ts AND id > lastId) OR modified > ts`, or
 * `modified >= ts` at the start of a window; sorted by modified then id, ascending. Paging never
 * uses `after`, so the 10,000-result cap of one query is never reached.
 */
export function searchBody(modifiedProperty: string, from: KeysetPosition, limit: number, properties: string[]): Record<string, unknown> {
  const ts = String(from.ts)
  const filterGroups =
    from.id === null
      ? [{filters: [{propertyName: modifiedProperty, operator: 'GTE', value: ts}]}]
      : [
          {
            filters: [
              {propertyName: modifiedProperty, operator: 'EQ', value: ts},
              {propertyName: 'hs_object_id', operator: 'GT', value: from.id},
            ],
          },
          {filters: [{propertyName: modifiedProperty, operator: 'GT', value: ts}]},
        ]
  return {
    filterGroups,
    sorts: [
      {propertyName: modifiedProperty, direction: 'ASCENDING'},
      {propertyName: 'hs_object_id', direction: 'ASCENDING'},
    ],
    properties,
    limit,
  }
}

/**
 * The search lane's request: live records with `above < hs_object_id < below` (a bound left out
 * when null), by descending hs_object_id. Each page is a new query below the last id written, so
 * paging never uses `after` and the 10,000-result cap is never reached.
 */
export function idRangeBody(above: string | null, below: string | null, limit: number, properties: string[]): Record<string, unknown> {
  const filters: Array<{propertyName: string; operator: string; value: string}> = []
  if (above !== null) filters.push({propertyName: 'hs_object_id', operator: 'GT', value: above})
  if (below !== null) filters.push({propertyName: 'hs_object_id', operator: 'LT', value: below})
  return {filterGroups: filters.length > 0 ? [{filters}] : [], sorts: [{propertyName: 'hs_object_id', direction: 'DESCENDING'}], properties, limit}
}

/** Fetch the remaining property chunks through batch read (POST: no URL limit) and merge them by id. */
async function mergeChunks(client: ApiClient, type: string, results: ListBody['results'], chunks: string[][], archived: boolean, signal?: AbortSignal): Promise<void> {
  const byId = new Map(results.map((r) => [r.id, r]))
  const ids = [...byId.keys()]
  for (let i = 0; i < ids.length; i += LIMITS.batchReadMax) {
    const inputs = ids.slice(i, i + LIMITS.batchReadMax).map((id) => ({id}))
    const res = await client.request<ListBody>({method: 'POST', path: PATHS.batchRead(type), query: {archived}, body: {inputs, properties: chunks.flat()}}, signal)
    for (const r of res.body?.results ?? []) {
      const target = byId.get(r.id)
      if (target) target.properties = {...(r.properties ?? {}), ...(target.properties ?? {})}
    }
  }
}
