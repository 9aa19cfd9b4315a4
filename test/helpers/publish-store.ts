/**
 * A small crmsync store written through the store's own write path (applyRecords,
 * replaceAssociations: what sync calls), for publish tests that need exact control over archives,
 * restores and edge changes between two publishes. Ids are small integers as text.
 */
import {openStore} from '../../src/store/open.js'

const TYPES = [{category: 'HUBSPOT_DEFINED', typeId: 1, label: null}]
let tick = 0
const stamp = (): string => new Date(Date.UTC(2026, 0, 1) + ++tick * 1000).toISOString()

const PROPS: Record<string, (id: string, v: number) => Record<string, string | null>> = {
  divisions: (id) => ({division_name: `Division ${id}`, division_code: `D${id}`, region: 'north', is_active: 'true'}),
  contacts: (id, v) => ({email: ` User${id}@Example.com`, firstname: `First${id}`, lastname: `Last${id} v${v}`, phone: `+1 555 ${id}`, lifecyclestage: 'lead'}),
  deals: (id, v) => ({dealname: `Deal ${id} v${v}`, amount: String(Number(id) * 10 + v), dealstage: 'open', pipeline: 'default', closedate: '2026-03-01T12:00:00Z'}),
  appointments: (id, v) => ({hs_appointment_name: `Visit ${id} v${v}`, hs_appointment_status: 'scheduled'}),
}

/** Write (or rewrite, as version `v`) records of `entity`, live or archived. */
export function putRecords(db: string, entity: string, ids: string[], opts: {v?: number; archived?: boolean} = {}): void {
  const store = openStore(db)
  try {
    store.ensureEntity({entity, properties: []})
    const at = stamp()
    store.applyRecords(
      entity,
      entity,
      ids.map((id) => ({
        id,
        properties: PROPS[entity](id, opts.v ?? 0),
        createdAt: '2025-06-01T00:00:00Z',
        updatedAt: at,
        archived: opts.archived === true,
        ...(opts.archived ? {archivedAt: at} : {}),
      })),
      null,
    )
  } finally {
    store.close()
  }
}

/** Make the edges from each of `edges`' keys to `to` exactly its list (replaceAssociations). */
export function setEdges(db: string, from: string, to: string, edges: Record<string, string[]>): void {
  const store = openStore(db)
  try {
    const ids = Object.keys(edges)
    store.replaceAssociations(
      `${from}-${to}`,
      from,
      to,
      ids,
      ids.flatMap((id) => edges[id].map((toId) => ({fromType: from, toType: to, fromId: id, toId, types: TYPES}))),
      null,
    )
  } finally {
    store.close()
  }
}

const range = (a: number, b: number): string[] => Array.from({length: b - a + 1}, (_, i) => String(a + i))

/** 3 divisions, contacts 1..12 (contact i in division i % 3 + 1), deals 1..4 (deal d with contacts 3d-2..3d), appointments 1..3 (appointment a with contact a). */
export function smallStore(db: string): void {
  putRecords(db, 'divisions', range(1, 3))
  putRecords(db, 'contacts', range(1, 12))
  putRecords(db, 'deals', range(1, 4))
  putRecords(db, 'appointments', range(1, 3))
  setEdges(db, 'contacts', 'divisions', Object.fromEntries(range(1, 12).map((c) => [c, [String((Number(c) % 3) + 1)]])))
  setEdges(db, 'deals', 'contacts', Object.fromEntries(range(1, 4).map((d) => [d, range(3 * Number(d) - 2, 3 * Number(d))])))
  setEdges(db, 'appointments', 'contacts', Object.fromEntries(range(1, 3).map((a) => [a, [a]])))
}
