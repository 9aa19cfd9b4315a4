/** List, single get and batch read: GET /crm/v3/objects/{type}, GET .../{id}, POST .../batch/read. */
import {HUBSPOT_LIMITS as LIMITS} from '../hubspot-limits.js'
import type {EmulatorContext} from '../context.js'
import {ApiError, json} from '../errors.js'
import {isId} from '../ids.js'
import type {EntityInfo} from '../object-types.js'
import {associationTargets, attachAssociations} from './inline-associations.js'
import {bodyProperties, intParam, jsonPath, queryProperties, render, type RenderableRow} from '../record-view.js'
import type Database from 'better-sqlite3'

const COLS = 'id, archived, created_at, updated_at, archived_at, props'

interface Statements {
  page: Database.Statement
  one: Database.Statement
}

const cache = new WeakMap<EmulatorContext, Statements>()

function stmts(ctx: EmulatorContext): Statements {
  let s = cache.get(ctx)
  if (!s) {
    s = {
      page: ctx.store.db.prepare(`SELECT ${COLS} FROM records WHERE ent = ? AND archived = ? AND (idlen, id) >= (?, ?) ORDER BY idlen, id LIMIT ?`),
      one: ctx.store.db.prepare(`SELECT ${COLS} FROM records WHERE ent = ? AND idlen = ? AND id = ?`),
    }
    cache.set(ctx, s)
  }
  return s
}

function archivedParam(v: string | null): boolean {
  if (v === null || v === '' || v === 'false') return false
  if (v === 'true') return true
  throw new ApiError(400, `Invalid archived: ${v}; use true or false`, 'VALIDATION_ERROR')
}

/** GET /crm/v3/objects/{type}: pages in id order; `after` is the id the next page starts at. */
export function listObjects(ctx: EmulatorContext, e: EntityInfo, url: URL): Response {
  const p = url.searchParams
  const limit = intParam(p.get('limit'), 'limit', 10, 1, LIMITS.listPageMax)
  const archived = archivedParam(p.get('archived'))
  const after = p.get('after') ?? '0'
  if (!isId(after)) throw new ApiError(400, `Invalid after: ${after}; use the paging.next.after value of the previous page`, 'VALIDATION_ERROR')
  const wanted = queryProperties(p, e)
  const targets = associationTargets(ctx, p)
  const rows = stmts(ctx).page.all(e.index, archived ? 1 : 0, after.length, after, limit + 1) as RenderableRow[]
  const results = rows.slice(0, limit).map((r) => render(r, e, wanted))
  attachAssociations(ctx, e, targets, results)
  const body: Record<string, unknown> = {results}
  if (rows.length > limit) {
    const next = rows[limit].id
    body.paging = {next: {after: next, link: `${url.origin}${url.pathname}?after=${next}`}}
  }
  return json(200, body)
}

/** Looks a record up by id, or by a unique property value when `idProperty` is given. */
function findOne(ctx: EmulatorContext, e: EntityInfo, id: string, idProperty: string | null): RenderableRow | undefined {
  if (idProperty && idProperty !== 'hs_object_id') {
    return ctx.store.db.prepare(`SELECT ${COLS} FROM records WHERE ent = ? AND json_extract(props, ?) = ? ORDER BY idlen, id LIMIT 1`).get(e.index, jsonPath(idProperty), id) as
      RenderableRow | undefined
  }
  if (!isId(id)) return undefined
  return stmts(ctx).one.get(e.index, id.length, id) as RenderableRow | undefined
}

/** GET /crm/v3/objects/{type}/{id} */
export function getObject(ctx: EmulatorContext, e: EntityInfo, id: string, url: URL): Response {
  const p = url.searchParams
  const archived = archivedParam(p.get('archived'))
  const row = findOne(ctx, e, id, p.get('idProperty'))
  if (!row || (row.archived === 1) !== archived) throw new ApiError(404, `Object not found. objectId are usually numeric.`, 'OBJECT_NOT_FOUND')
  const targets = associationTargets(ctx, p)
  const record = render(row, e, queryProperties(p, e))
  attachAssociations(ctx, e, targets, [record])
  return json(200, record)
}

/** POST /crm/v3/objects/{type}/batch/read: at most 100 inputs; missing ids answer 207 with errors. */
export function batchRead(ctx: EmulatorContext, e: EntityInfo, body: unknown, url: URL): Response {
  const startedAt = new Date(ctx.now()).toISOString()
  const b = (body ?? {}) as {inputs?: unknown; properties?: unknown; idProperty?: unknown}
  if (!Array.isArray(b.inputs)) throw new ApiError(400, 'Invalid input JSON: "inputs" must be an array of {id}', 'VALIDATION_ERROR')
  if (b.inputs.length > LIMITS.batchReadMax) throw new ApiError(400, `Batch input limit exceeded: ${b.inputs.length} inputs; at most ${LIMITS.batchReadMax} are allowed`, 'VALIDATION_ERROR')
  const wanted = bodyProperties(b.properties)
  const idProperty = typeof b.idProperty === 'string' ? b.idProperty : null
  const archived = archivedParam(url.searchParams.get('archived'))
  const results = []
  const missing: string[] = []
  for (const input of b.inputs as Array<{id?: unknown}>) {
    const id = input && typeof input.id === 'string' ? input.id : String(input?.id ?? '')
    const row = findOne(ctx, e, id, idProperty)
    if (!row || (row.archived === 1) !== archived) missing.push(id)
    else results.push(render(row, e, wanted))
  }
  const completedAt = new Date(ctx.now()).toISOString()
  if (missing.length === 0) return json(200, {status: 'COMPLETE', results, startedAt, completedAt})
  const error = {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${e.label} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: {ids: missing},
  }
  return json(207, {status: 'COMPLETE', results, numErrors: 1, errors: [error], startedAt, completedAt})
}
