/**
 * Read chosen records and their association sets by id: POST .../batch/read (≤ 100 ids per
 * request; ids the live read lacks are asked again with archived=true) and v4 association batch
 * read. `parity diff --adjudicate` reads the disputed records through it, on the client (and so the
 * rate budget) every other HubSpot read uses.
 */
import type {ApiClient, ApiRequest} from '../../core/http-types.js'
import type {AssociationRow, CrmRecord} from '../../core/records.js'
import {readAssociations} from './association-reader.js'
import {LIMITS, OBJECTS, PATHS} from './objects.js'
import {toHubSpotRecord} from './records.js'
import {loadSchemas, resolveObjectType} from './schema.js'

/** Counts the requests made through it (on top of the client's own stats). */
export interface CountingClient extends ApiClient {
  readonly made: number
}

export function countingClient(client: ApiClient): CountingClient {
  let made = 0
  return {
    request<T>(req: ApiRequest, signal?: AbortSignal, counter?: Parameters<ApiClient['request']>[2]) {
      made++
      return client.request<T>(req, signal, counter)
    },
    get stats() {
      return client.stats
    },
    get made() {
      return made
    },
  }
}

/** Resolves a crmsync entity to the object type id its paths use (custom objects through the schemas API, once). */
export function objectTypes(client: ApiClient): (entity: string, signal?: AbortSignal) => Promise<string> {
  let schemas: Map<string, string> | undefined
  return async (entity, signal) => {
    const def = OBJECTS[entity]
    if (!def) return entity
    if (def.objectTypeId) return def.objectTypeId
    schemas ??= await loadSchemas(client, signal)
    return resolveObjectType(def.pathSegment, schemas, entity)
  }
}

/** The records of `ids` (live, then archived for those not found live); ids HubSpot has neither way are absent from the answer. */
export async function batchReadRecords(client: ApiClient, type: string, ids: string[], properties: string[], signal?: AbortSignal): Promise<CrmRecord[]> {
  const found: CrmRecord[] = []
  let rest = ids
  for (const archived of [false, true]) {
    const seen = new Set<string>()
    for (let i = 0; i < rest.length; i += LIMITS.batchReadMax) {
      const inputs = rest.slice(i, i + LIMITS.batchReadMax).map((id) => ({id}))
      const res = await client.request<{results?: unknown[]}>({method: 'POST', path: PATHS.batchRead(type), query: {archived}, body: {inputs, properties}}, signal)
      for (const raw of res.body?.results ?? []) {
        const rec = toHubSpotRecord(raw)
        seen.add(rec.id)
        found.push(rec)
      }
    }
    rest = rest.filter((id) => !seen.has(id))
    if (rest.length === 0) break
  }
  return found
}

/** The association sets of `ids` from `fromEntity` to `toEntity` (v4 batch read, every page). */
export async function batchReadEdges(
  client: ApiClient,
  types: {fromType: string; toType: string; fromEntity: string; toEntity: string},
  ids: string[],
  signal?: AbortSignal,
): Promise<AssociationRow[]> {
  return ids.length === 0 ? [] : readAssociations(client, types, ids, signal)
}
