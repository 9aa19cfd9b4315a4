/**
 * What replacing the edges of a set of from-records changes, computed from the stored edges: the
 * same plan for every store (SQLite runs it statement by statement, PostgreSQL set-wise).
 */
import type {AssociationRow} from '../core/records.js'
import type {PageCounts} from '../core/store-port.js'

/** A stored edge of one from-record. */
export interface StoredEdge {
  from_id: string
  to_id: string
  category: string
  type_id: number
  label: string | null
}

/** One edge of the plan (of the page's fromEntity → toEntity pair). */
export interface PlannedEdge {
  fromId: string
  toId: string
  category: string
  typeId: number
  label: string | null
}

export interface AssociationPlan {
  counts: PageCounts
  remove: PlannedEdge[]
  /** edges whose label changes (`label` is the new one) */
  update: PlannedEdge[]
  insert: PlannedEdge[]
}

const edgeKey = (toId: string, category: string, typeId: number) => `${toId}\u0000${category}\u0000${typeId}`

/**
 * Make the edges from each of `fromIds` exactly those in `rows`. Rows whose fromId is not in
 * `fromIds` are added without removing that record's other edges. Counts: inserted (new edge),
 * updated (label changed), unchanged, deleted (edge removed). `stored` holds the stored edges of
 * every from-id of `fromIds` and `rows`.
 */
export function planAssociationRows(fromIds: string[], rows: AssociationRow[], stored: Iterable<StoredEdge>): AssociationPlan {
  const plan: AssociationPlan = {counts: {inserted: 0, updated: 0, unchanged: 0, deleted: 0}, remove: [], update: [], insert: []}
  const wanted = new Map<string, Map<string, PlannedEdge>>()
  for (const id of fromIds) wanted.set(id, new Map())
  for (const row of rows) {
    let edges = wanted.get(row.fromId)
    if (!edges) wanted.set(row.fromId, (edges = new Map()))
    for (const t of row.types) edges.set(edgeKey(row.toId, t.category, t.typeId), {fromId: row.fromId, toId: row.toId, category: t.category, typeId: t.typeId, label: t.label ?? null})
  }
  const replaced = new Set(fromIds)
  const byFrom = new Map<string, StoredEdge[]>()
  for (const e of stored) {
    let list = byFrom.get(e.from_id)
    if (!list) byFrom.set(e.from_id, (list = []))
    list.push(e)
  }
  for (const [fromId, edges] of wanted) {
    for (const e of byFrom.get(fromId) ?? []) {
      const key = edgeKey(e.to_id, e.category, e.type_id)
      const want = edges.get(key)
      if (!want) {
        if (replaced.has(fromId)) {
          plan.remove.push({fromId, toId: e.to_id, category: e.category, typeId: e.type_id, label: e.label})
          plan.counts.deleted++
        }
        continue
      }
      edges.delete(key)
      if (want.label === e.label) plan.counts.unchanged++
      else {
        plan.update.push(want)
        plan.counts.updated++
      }
    }
    for (const e of edges.values()) {
      plan.insert.push(e)
      plan.counts.inserted++
    }
  }
  return plan
}
