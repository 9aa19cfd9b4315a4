/** v4 association batch read: ≤ 1000 ids per request, per-record paging, every type id and label kept. */
import type {ApiClient} from '../../core/http-types.js'
import type {AssociationRow, AssociationType} from '../../core/records.js'
import {LIMITS, PATHS} from './objects.js'

interface V4Result {
  from?: {id?: string | number}
  to?: Array<{toObjectId?: string | number; associationTypes?: Array<{category?: string; typeId?: number; label?: string | null}>}>
  paging?: {next?: {after?: string}}
}

/** A pair's type definitions from the labels endpoint: `category:typeId` → label. */
export type TypeLabels = ReadonlyMap<string, string | null>

/**
 * Read every edge of `ids` (from `fromType` to `toType`), following each record's own paging. A
 * type whose `label` the answer leaves out gets the label its definition (`labels`) has.
 */
export async function readAssociations(
  client: ApiClient,
  types: {fromType: string; toType: string; fromEntity: string; toEntity: string},
  ids: string[],
  signal?: AbortSignal,
  labels?: TypeLabels,
): Promise<AssociationRow[]> {
  const byPair = new Map<string, AssociationRow>()
  let inputs: Array<{id: string; after?: string}> = ids.map((id) => ({id}))
  while (inputs.length > 0) {
    const next: typeof inputs = []
    for (let i = 0; i < inputs.length; i += LIMITS.associationsBatchMax) {
      const res = await client.request<{results?: V4Result[]}>(
        {method: 'POST', path: PATHS.associationsBatchRead(types.fromType, types.toType), body: {inputs: inputs.slice(i, i + LIMITS.associationsBatchMax)}},
        signal,
      )
      for (const r of res.body?.results ?? []) {
        const fromId = r.from?.id === undefined ? null : String(r.from.id)
        if (fromId === null) continue
        for (const t of r.to ?? []) {
          if (t.toObjectId === undefined) continue
          const toId = String(t.toObjectId)
          const key = `${fromId}|${toId}`
          let row = byPair.get(key)
          if (!row) {
            row = {fromType: types.fromEntity, fromId, toType: types.toEntity, toId, types: []}
            byPair.set(key, row)
          }
          for (const at of t.associationTypes ?? []) addType(row.types, at, labels)
        }
        const after = r.paging?.next?.after
        if (after) next.push({id: fromId, after})
      }
    }
    inputs = next
  }
  for (const row of byPair.values()) row.types.sort((a, b) => a.category.localeCompare(b.category) || a.typeId - b.typeId || (a.label ?? '').localeCompare(b.label ?? ''))
  return [...byPair.values()]
}

function addType(list: AssociationType[], at: {category?: string; typeId?: number; label?: string | null}, labels?: TypeLabels): void {
  if (typeof at.typeId !== 'number') return
  const category = (at.category ?? 'HUBSPOT_DEFINED') as AssociationType['category']
  const label = at.label === undefined ? (labels?.get(`${category}:${at.typeId}`) ?? null) : at.label
  if (!list.some((t) => t.typeId === at.typeId && t.category === category && t.label === label)) list.push({category, typeId: at.typeId, label})
}
