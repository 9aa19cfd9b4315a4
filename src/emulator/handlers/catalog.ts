/**
 * Read-only catalog endpoints derived from the snapshot: association labels (v4 and dated),
 * owners (from the records' `hubspot_owner_id` values) and pipelines (from the pipeline and stage
 * properties' options), in HubSpot's shapes.
 */
import type {EmulatorContext} from '../context.js'
import {ApiError, json} from '../errors.js'
import {isId} from '../ids.js'
import type {EntityInfo} from '../object-types.js'
import {intParam} from '../record-view.js'

/** GET /crm/v4/associations/{from}/{to}/labels: every type of the pair, as `{category, typeId, label}`. */
export function listAssociationLabels(ctx: EmulatorContext, from: EntityInfo, to: EntityInfo): Response {
  return json(200, {results: ctx.store.associationTypesOf(from, to)})
}

const OWNER_PROPERTY = 'hubspot_owner_id'
const ownersByStore = new WeakMap<object, {version: number; ids: string[]}>()

/** Distinct owner ids over every record, in integer order (computed once per data version). */
function ownerIds(ctx: EmulatorContext): string[] {
  const cached = ownersByStore.get(ctx.store)
  if (cached && cached.version === ctx.store.version) return cached.ids
  const rows = ctx.store.db.prepare(`SELECT DISTINCT json_extract(props, '$.${OWNER_PROPERTY}') AS o FROM records WHERE json_extract(props, '$.${OWNER_PROPERTY}') IS NOT NULL`).all() as Array<{
    o: unknown
  }>
  const ids = [...new Set(rows.map((r) => String(r.o)).filter(isId))].sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
  ownersByStore.set(ctx.store, {version: ctx.store.version, ids})
  return ids
}

function owner(id: string, at: string): Record<string, unknown> {
  return {
    id,
    email: `owner${id}@example.com`,
    type: 'PERSON',
    firstName: 'Owner',
    lastName: id,
    userId: Number(id.slice(-9)),
    userIdIncludingInactive: Number(id.slice(-9)),
    createdAt: at,
    updatedAt: at,
    archived: false,
    teams: [],
  }
}

/** GET /crm/v3/owners: `limit` 1..500 (default 100), `after`, `email`, `archived` (archived owners: none). */
export function listOwners(ctx: EmulatorContext, url: URL): Response {
  const p = url.searchParams
  const limit = intParam(p.get('limit'), 'limit', 100, 1, 500)
  const at = new Date(0).toISOString()
  const after = p.get('after') ?? '0'
  if (!/^\d{1,9}$/.test(after)) throw new ApiError(400, `Invalid after: ${after}; use the paging.next.after value of the previous page`, 'VALIDATION_ERROR')
  if (p.get('archived') === 'true') return json(200, {results: []})
  const email = p.get('email')
  const ids = ownerIds(ctx).filter((id) => email === null || `owner${id}@example.com` === email.toLowerCase())
  const start = Number(after)
  const results = ids.slice(start, start + limit).map((id) => owner(id, at))
  const body: Record<string, unknown> = {results}
  if (start + limit < ids.length) body.paging = {next: {after: String(start + limit), link: `${url.origin}${url.pathname}?after=${start + limit}`}}
  return json(200, body)
}

/** GET /crm/v3/owners/{id}: 404 for an unknown owner. */
export function getOwner(ctx: EmulatorContext, id: string): Response {
  if (!ownerIds(ctx).includes(id)) throw new ApiError(404, `Owner ${id} not found.`, 'OBJECT_NOT_FOUND')
  return json(200, owner(id, new Date(0).toISOString()))
}

/** The pipeline and stage properties of an object type (deals: pipeline/dealstage; others: hs_pipeline/hs_pipeline_stage). */
function pipelineProperties(e: EntityInfo): {pipelines: string[]; stages: Array<{label: string; value: string}>} | null {
  const find = (...names: string[]) => e.properties.find((p) => names.includes(p.name))
  const stage = find('dealstage', 'hs_pipeline_stage')
  if (!stage) return null
  const pipeline = find('pipeline', 'hs_pipeline')
  const pipelines = pipeline?.options?.map((o) => o.value) ?? []
  return {pipelines: pipelines.length > 0 ? pipelines : ['default'], stages: stage.options ?? []}
}

/** GET /crm/v3/pipelines/{objectType}: one pipeline per pipeline option, each with every stage option. */
export function listPipelines(e: EntityInfo): Response {
  const at = new Date(0).toISOString()
  const props = pipelineProperties(e)
  if (!props) return json(200, {results: []})
  const stages = props.stages.map((s, i) => ({
    id: s.value,
    label: s.label,
    displayOrder: i,
    metadata: {},
    archived: false,
    createdAt: at,
    updatedAt: at,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  }))
  const results = props.pipelines.map((id, i) => ({id, label: id, displayOrder: i, archived: false, createdAt: at, updatedAt: at, stages}))
  return json(200, {results})
}
