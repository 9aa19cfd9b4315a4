/**
 * `associations=` on list and get (GET /crm/v3/objects/{type}?associations=deals,contacts): each
 * record gains HubSpot's v3 shape `associations: {deals: {results: [{id, type}]}}`, one entry per
 * target and association type (`contact_to_deal` for HUBSPOT_DEFINED, `contact_to_deal_<typeId>`
 * for USER_DEFINED ones), targets in id order, at most HUBSPOT_LIMITS.associationsPageSize per type.
 */
import type {AssociationType} from '../../core/records.js'
import type {EmulatorContext} from '../context.js'
import {HUBSPOT_LIMITS} from '../hubspot-limits.js'
import type {EntityInfo} from '../object-types.js'

/** The target object types named by `associations=` (comma list and/or repeated), resolved; [] when absent. */
export function associationTargets(ctx: EmulatorContext, params: URLSearchParams): EntityInfo[] {
  const names = params
    .getAll('associations')
    .flatMap((v) => v.split(','))
    .filter((s) => s.length > 0)
  const out = new Map<number, EntityInfo>()
  for (const n of names) {
    const e = ctx.store.registry.resolve(n)
    out.set(e.index, e)
  }
  return [...out.values()]
}

const singular = (e: EntityInfo): string => (e.name === 'companies' ? 'company' : e.name.replace(/s$/, ''))

/** Adds `associations` to each rendered record (records with none for a target get no key for it, like HubSpot). */
export function attachAssociations(ctx: EmulatorContext, from: EntityInfo, targets: EntityInfo[], records: Array<{id: string; associations?: unknown}>): void {
  if (targets.length === 0) return
  const stmt = ctx.store.db.prepare('SELECT tid, types FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ? AND te = ? ORDER BY tidlen, tid LIMIT ?')
  for (const r of records) {
    const assoc: Record<string, {results: Array<{id: string; type: string}>}> = Object.create(null)
    for (const to of targets) {
      const rows = stmt.all(from.index, r.id.length, r.id, to.index, HUBSPOT_LIMITS.associationsPageSize) as Array<{tid: string; types: string}>
      if (rows.length === 0) continue
      const base = `${singular(from)}_to_${singular(to)}`
      const results = rows.flatMap((row) => (JSON.parse(row.types) as AssociationType[]).map((t) => ({id: row.tid, type: t.category === 'HUBSPOT_DEFINED' ? base : `${base}_${t.typeId}`})))
      assoc[to.name] = {results}
    }
    if (Object.keys(assoc).length > 0) r.associations = {...assoc}
  }
}
