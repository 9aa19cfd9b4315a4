/** POST /crm/v4/associations/{from}/{to}/batch/read with per-record paging. */
import {HUBSPOT_LIMITS as LIMITS} from '../hubspot-limits.js'
import type {AssociationType} from '../../core/records.js'
import type {EmulatorContext} from '../context.js'
import {ApiError, json} from '../errors.js'
import {isId} from '../ids.js'
import type {EntityInfo} from '../object-types.js'

interface AssocRow {
  tid: string
  types: string
}

/**
 * Each input `{id, after?}` gets at most `associationPageSize` targets (id order) and its own
 * `paging.next.after` when it has more. Inputs without associations are reported as 207 errors,
 * like HubSpot does.
 */
export function batchReadAssociations(ctx: EmulatorContext, from: EntityInfo, to: EntityInfo, body: unknown): Response {
  const startedAt = new Date(ctx.now()).toISOString()
  const inputs = (body as {inputs?: unknown} | null)?.inputs
  if (!Array.isArray(inputs)) throw new ApiError(400, 'Invalid input JSON: "inputs" must be an array of {id, after?}', 'VALIDATION_ERROR')
  if (inputs.length > LIMITS.associationsBatchMax)
    throw new ApiError(400, `Batch input limit exceeded: ${inputs.length} inputs; at most ${LIMITS.associationsBatchMax} are allowed`, 'VALIDATION_ERROR')
  const size = ctx.associationPageSize
  const firstPages = new Map<number, AssocRow[]>()
  const firstPageInputs: string[] = []
  for (const input of inputs as Array<{id?: unknown; after?: unknown}>) {
    const after = input?.after
    if (after === undefined || after === null || after === '') firstPageInputs.push(String(input?.id ?? ''))
  }
  // inputs without `after` (nearly all): their first pages in ONE query (one call into SQLite
  // instead of one per input; 1,000 per-input queries took about 20 ms of the emulator's CPU)
  if (firstPageInputs.length > 0) {
    const rows = ctx.store.db
      .prepare(
        `SELECT k, tid, types FROM (
           SELECT j.key AS k, a.tidlen, a.tid, a.types, row_number() OVER (PARTITION BY j.key ORDER BY a.tidlen, a.tid) AS rn
           FROM json_each(?) j CROSS JOIN assoc a ON a.fe = ? AND a.fidlen = length(j.value) AND a.fid = j.value AND a.te = ?
         ) WHERE rn <= ? ORDER BY k, rn`,
      )
      .all(JSON.stringify(firstPageInputs.map((id) => (isId(id) ? id : ''))), from.index, to.index, size + 1) as Array<AssocRow & {k: number}>
    for (const r of rows) {
      let list = firstPages.get(r.k)
      if (!list) firstPages.set(r.k, (list = []))
      list.push(r)
    }
  }
  const stmt = ctx.store.db.prepare('SELECT tid, types FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ? AND te = ? AND (tidlen, tid) >= (?, ?) ORDER BY tidlen, tid LIMIT ?')
  const results = []
  const none: string[] = []
  let firstPageIndex = 0
  for (const input of inputs as Array<{id?: unknown; after?: unknown}>) {
    const id = String(input?.id ?? '')
    let rows: AssocRow[]
    if (input?.after === undefined || input.after === null || input.after === '') rows = firstPages.get(firstPageIndex++) ?? []
    else {
      const after = String(input.after)
      if (!isId(after)) throw new ApiError(400, `Invalid after for ${id}: ${after}; use the paging.next.after value of that result`, 'VALIDATION_ERROR')
      rows = isId(id) ? (stmt.all(from.index, id.length, id, to.index, after.length, after, size + 1) as AssocRow[]) : []
    }
    if (rows.length === 0) {
      none.push(id)
      continue
    }
    const result: Record<string, unknown> = {
      from: {id},
      to: rows.slice(0, size).map((r) => ({toObjectId: r.tid, associationTypes: JSON.parse(r.types) as AssociationType[]})),
    }
    if (rows.length > size) result.paging = {next: {after: rows[size].tid}}
    results.push(result)
  }
  const completedAt = new Date(ctx.now()).toISOString()
  if (none.length === 0) return json(200, numericTargets({status: 'COMPLETE', results, startedAt, completedAt}))
  const errors = none.map((id) => ({
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
    context: {fromObjectId: [id]},
    message: `No ${to.name} is associated with ${from.label.toLowerCase()} ${id}.`,
  }))
  return json(207, numericTargets({status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt}))
}

/**
 * The answer as JSON text with every `toObjectId` a JSON number, as HubSpot sends it (`from.id` and
 * `paging.next.after` stay strings). Written from the digit string, so ids beyond 2^53 are exact.
 */
function numericTargets(body: unknown): string {
  return JSON.stringify(body).replace(/"toObjectId":"(0|[1-9]\d*)"/g, '"toObjectId":$1')
}
