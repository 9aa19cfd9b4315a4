/** POST /crm/v3/objects/{type}/search */
import {HUBSPOT_LIMITS as LIMITS} from '../hubspot-limits.js'
import type {EmulatorContext} from '../context.js'
import {json} from '../errors.js'
import type {EntityInfo} from '../object-types.js'
import {render} from '../record-view.js'
import {compileSearch, parseSearchBody} from '../search.js'

interface ViewRow {
  id: string
  created_at: string
  updated_at: string
  p: string
}

/** search totals per store, keyed by data version + query (the count is the expensive part of a page) */
const totalsByStore = new WeakMap<object, Map<string, number>>()

/**
 * The records search can see. Without index lag: live records. With lag: records unchanged for
 * `lag` ms as they are, plus the previous version of those changed more recently (new ones are
 * invisible, freshly archived ones still visible, updated ones show old values).
 */
function view(ctx: EmulatorContext, e: EntityInfo): {sql: string; params: unknown[]} {
  const cols = 'idlen, id, created_at'
  if (ctx.indexLagMs <= 0) {
    return {sql: `SELECT ${cols}, updated_at, props AS p, mod_ms AS m FROM records WHERE ent = ? AND archived = 0`, params: [e.index]}
  }
  const cut = ctx.now() - ctx.indexLagMs
  return {
    sql:
      `SELECT ${cols}, updated_at, props AS p, mod_ms AS m FROM records WHERE ent = ? AND archived = 0 AND (changed_ms IS NULL OR changed_ms <= ?) ` +
      `UNION ALL SELECT ${cols}, prev_updated_at, prev_props, prev_mod_ms FROM records WHERE ent = ? AND changed_ms > ? AND prev_props IS NOT NULL AND prev_archived = 0`,
    params: [e.index, cut, e.index, cut],
  }
}

export function searchObjects(ctx: EmulatorContext, e: EntityInfo, body: unknown, url: URL): Response {
  const req = parseSearchBody(body)
  const c = compileSearch(e, req)
  const v = view(ctx, e)
  const db = ctx.store.db
  const countSql = `SELECT count(*) AS n FROM (${v.sql}) WHERE ${c.where}`
  const countParams = [...v.params, ...c.whereParams]
  let total: number | undefined
  let totals = totalsByStore.get(ctx.store)
  if (!totals) totalsByStore.set(ctx.store, (totals = new Map()))
  const key = ctx.indexLagMs <= 0 ? `${ctx.store.version}\u0000${countSql}\u0000${JSON.stringify(countParams)}` : null
  if (key) total = totals.get(key)
  if (total === undefined) {
    total = (db.prepare(countSql).get(...countParams) as {n: number}).n
    if (key) {
      if (totals.size > 200) totals.clear()
      totals.set(key, total)
    }
  }
  const take = Math.min(req.limit, LIMITS.searchResultCap - req.after)
  const rows = db
    .prepare(`SELECT id, created_at, updated_at, p FROM (${v.sql}) WHERE ${c.where} ORDER BY ${c.order} LIMIT ? OFFSET ?`)
    .all(...v.params, ...c.whereParams, ...c.orderParams, take, req.after) as ViewRow[]
  const results = rows.map((r) => render({id: r.id, archived: 0, created_at: r.created_at, updated_at: r.updated_at, archived_at: null, props: r.p}, e, req.properties))
  const out: Record<string, unknown> = {total, results}
  const nextOffset = req.after + rows.length
  if (rows.length > 0 && nextOffset < total) out.paging = {next: {after: String(nextOffset), link: `${url.origin}${url.pathname}?after=${nextOffset}`}}
  return json(200, out)
}
