/**
 * Recorder step 4: association type definitions in both directions with inverse type ids. The
 * v4 batch read only shows a type from one side, so for each type seen a few sample edges are
 * read back from the other side: an edge whose remaining unknown types are one on each side
 * pairs them. A type that cannot be paired keeps its own id as inverse (and no reverse entry).
 */
import type {ApiClient} from '../../core/http-types.js'
import type {AssociationType, AssociationTypeDef} from '../../core/records.js'
import {readAllAssociations} from './crawl-associations.js'
import type {RecordState} from './work-state.js'

export async function deriveAssociationTypes(api: ApiClient, state: RecordState, signal?: AbortSignal): Promise<AssociationTypeDef[]> {
  const typeIdOf = new Map(state.objectTypes.map((o) => [o.name, o.objectTypeId]))
  const out: AssociationTypeDef[] = []
  for (const [key, seen] of Object.entries(state.associations.seen)) {
    const [fromType, toType] = key.split('>')
    // every sample edge of this pair, with its forward types and its reverse types
    const edges = new Map<string, {fromId: string; toId: string}>()
    for (const t of seen) for (const s of state.associations.samples[`${key}:${t.typeId}`] ?? []) edges.set(`${s.fromId}>${s.toId}`, s)
    const toIds = [...new Set([...edges.values()].map((e) => e.toId))]
    const reverse = toIds.length ? await readAllAssociations(api, typeIdOf.get(toType)!, typeIdOf.get(fromType)!, toIds, signal) : new Map()
    const forward = toIds.length ? await readAllAssociations(api, typeIdOf.get(fromType)!, typeIdOf.get(toType)!, [...new Set([...edges.values()].map((e) => e.fromId))], signal) : new Map()
    const typesOf = (m: Map<string, Array<{toId: string; types: AssociationType[]}>>, a: string, b: string): AssociationType[] => m.get(a)?.find((x) => x.toId === b)?.types ?? []
    const pairs = new Map<number, AssociationType>() // forward typeId → reverse type
    for (let progress = true; progress; ) {
      progress = false
      for (const e of edges.values()) {
        const fw = typesOf(forward, e.fromId, e.toId).filter((t) => !pairs.has(t.typeId))
        const usedReverse = new Set([...pairs.values()].map((t) => t.typeId))
        const rv = typesOf(reverse, e.toId, e.fromId).filter((t) => !usedReverse.has(t.typeId))
        if (fw.length === 1 && rv.length === 1) {
          pairs.set(fw[0].typeId, rv[0])
          progress = true
        }
      }
    }
    for (const t of seen) {
      const inv = pairs.get(t.typeId)
      out.push({fromType, toType, category: t.category, typeId: t.typeId, label: t.label, inverseTypeId: inv?.typeId ?? t.typeId})
      if (inv) out.push({fromType: toType, toType: fromType, category: inv.category, typeId: inv.typeId, label: inv.label ?? null, inverseTypeId: t.typeId})
    }
  }
  return out.sort((a, b) => (a.fromType < b.fromType ? -1 : a.fromType > b.fromType ? 1 : a.toType < b.toType ? -1 : a.toType > b.toType ? 1 : a.typeId - b.typeId))
}
