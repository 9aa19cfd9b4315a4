/**
 * Association type definitions from `GET /crm/v4/associations/{from}/{to}/labels` (HubSpot lists
 * every type of a pair in one direction: unlabeled, primary and user-defined labels). Read in both
 * directions and paired into inverse type ids: the official default ids first, then equal labels
 * (an unpaired label is the same on both sides), then what is left of one category in type id
 * order (HubSpot creates a paired label's two ids together). A type that still has no partner
 * keeps its own id as inverse.
 */
import type {ApiClient} from '../../core/http-types.js'
import type {AssociationType, AssociationTypeDef} from '../../core/records.js'
import {DEFAULT_ASSOCIATION_TYPES, PATHS} from './objects.js'

interface LabelResult {
  category?: string
  typeId?: number
  label?: string | null
}

/** Every association type of `fromType → toType` (object type ids), as the labels endpoint lists them. */
export async function readAssociationLabels(client: ApiClient, fromType: string, toType: string, signal?: AbortSignal): Promise<AssociationType[]> {
  const res = await client.request<{results?: LabelResult[]}>({method: 'GET', path: PATHS.associationLabels(fromType, toType)}, signal)
  const out: AssociationType[] = []
  for (const r of res.body?.results ?? []) {
    if (typeof r.typeId !== 'number') continue
    const category = (r.category ?? 'HUBSPOT_DEFINED') as AssociationType['category']
    if (!out.some((t) => t.typeId === r.typeId && t.category === category)) out.push({category, typeId: r.typeId, label: r.label ?? null})
  }
  return out
}

/** `forward` types paired with their `reverse` counterparts (null: no partner found). */
export function pairAssociationTypes(fromEntity: string, toEntity: string, forward: AssociationType[], reverse: AssociationType[]): Array<[AssociationType, AssociationType | null]> {
  const pairs = new Map<AssociationType, AssociationType>()
  const used = new Set<AssociationType>()
  const take = (f: AssociationType, r: AssociationType | undefined): void => {
    if (!r || used.has(r) || pairs.has(f)) return
    pairs.set(f, r)
    used.add(r)
  }
  for (const d of DEFAULT_ASSOCIATION_TYPES) {
    const [fwdId, revId] = d.from === fromEntity && d.to === toEntity ? [d.typeId, d.inverseTypeId] : d.from === toEntity && d.to === fromEntity ? [d.inverseTypeId, d.typeId] : [null, null]
    if (fwdId === null) continue
    const isDefault = (t: AssociationType, id: number) => t.category === 'HUBSPOT_DEFINED' && t.typeId === id
    const f = forward.find((t) => isDefault(t, fwdId))
    if (f)
      take(
        f,
        reverse.find((t) => isDefault(t, revId)),
      )
  }
  const free = (list: AssociationType[], taken: (t: AssociationType) => boolean) => list.filter((t) => !taken(t))
  // equal labels, when the label is unique within its category on both sides
  for (const f of free(forward, (t) => pairs.has(t))) {
    const sameF = forward.filter((t) => t.category === f.category && t.label === f.label && !pairs.has(t))
    const sameR = free(reverse, (t) => used.has(t)).filter((t) => t.category === f.category && t.label === f.label)
    if (sameF.length === 1 && sameR.length === 1) take(f, sameR[0])
  }
  // what is left of a category, in type id order, when both sides have as many
  for (const category of new Set(forward.map((t) => t.category))) {
    const f = free(forward, (t) => pairs.has(t))
      .filter((t) => t.category === category)
      .sort((a, b) => a.typeId - b.typeId)
    const r = free(reverse, (t) => used.has(t))
      .filter((t) => t.category === category)
      .sort((a, b) => a.typeId - b.typeId)
    if (f.length === r.length) f.forEach((t, i) => take(t, r[i]))
  }
  return forward.map((f) => [f, pairs.get(f) ?? null])
}

/** Both directions' type definitions of a pair of entities, with inverse ids (sorted as the snapshot manifest wants them). */
export async function associationTypeDefs(
  client: ApiClient,
  from: {entity: string; objectType: string},
  to: {entity: string; objectType: string},
  signal?: AbortSignal,
): Promise<AssociationTypeDef[]> {
  const forward = await readAssociationLabels(client, from.objectType, to.objectType, signal)
  const reverse = await readAssociationLabels(client, to.objectType, from.objectType, signal)
  const out: AssociationTypeDef[] = []
  const reversePaired = new Set<AssociationType>()
  for (const [f, r] of pairAssociationTypes(from.entity, to.entity, forward, reverse)) {
    out.push({fromType: from.entity, toType: to.entity, category: f.category, typeId: f.typeId, label: f.label, inverseTypeId: r?.typeId ?? f.typeId})
    if (r) {
      reversePaired.add(r)
      out.push({fromType: to.entity, toType: from.entity, category: r.category, typeId: r.typeId, label: r.label, inverseTypeId: f.typeId})
    }
  }
  for (const r of reverse) if (!reversePaired.has(r)) out.push({fromType: to.entity, toType: from.entity, category: r.category, typeId: r.typeId, label: r.label, inverseTypeId: r.typeId})
  return out
}
