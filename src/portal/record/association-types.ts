/**
 * Recorder step 4: association type definitions in both directions with inverse type ids, read
 * from the labels endpoint of every recorded pair (both directions; the connector pairs them, see
 * src/connectors/hubspot/association-labels.ts). So a type that no edge carries (a label defined
 * but not used yet) is recorded too. A type seen on an edge but missing from the labels endpoint
 * is kept with its own id as inverse.
 */
import {associationTypeDefs} from '../../connectors/hubspot/association-labels.js'
import {ASSOCIATION_PAIRS} from '../../connectors/hubspot/objects.js'
import type {ApiClient} from '../../core/http-types.js'
import type {AssociationTypeDef} from '../../core/records.js'
import type {RecordState} from './work-state.js'

export async function deriveAssociationTypes(api: ApiClient, state: RecordState, signal?: AbortSignal): Promise<AssociationTypeDef[]> {
  const typeIdOf = new Map(state.objectTypes.map((o) => [o.name, o.objectTypeId]))
  const out: AssociationTypeDef[] = []
  for (const [fromType, toType] of ASSOCIATION_PAIRS) {
    const from = typeIdOf.get(fromType)
    const to = typeIdOf.get(toType)
    if (from === undefined || to === undefined) continue
    out.push(...(await associationTypeDefs(api, {entity: fromType, objectType: from}, {entity: toType, objectType: to}, signal)))
  }
  for (const [key, seen] of Object.entries(state.associations.seen)) {
    const [fromType, toType] = key.split('>')
    for (const t of seen) {
      if (!out.some((d) => d.fromType === fromType && d.toType === toType && d.typeId === t.typeId && d.category === t.category))
        out.push({fromType, toType, category: t.category, typeId: t.typeId, label: t.label, inverseTypeId: t.typeId})
    }
  }
  return out.sort((a, b) => (a.fromType < b.fromType ? -1 : a.fromType > b.fromType ? 1 : a.toType < b.toType ? -1 : a.toType > b.toType ? 1 : a.typeId - b.typeId))
}
