/**
 * CRM search as SQL over the stored JSON properties. Values compare the way HubSpot compares them:
 * numbers numerically, dates and datetimes as epoch ms (ISO or ms strings), ids as integers, other
 * values as strings. Search never returns archived records and, with an index lag, sees the version
 * of a record that was current `lag` ms ago.
 */
import {HUBSPOT_LIMITS as LIMITS} from './hubspot-limits.js'
import {ApiError} from './errors.js'
import {isId} from './ids.js'
import {type EntityInfo, toMs} from './object-types.js'
import {jsonPath} from './record-view.js'

export interface Filter {
  propertyName: string
  operator: string
  value?: unknown
  highValue?: unknown
  values?: unknown[]
}

export interface SearchRequest {
  filterGroups: Array<{filters: Filter[]}>
  sorts: Array<{propertyName: string; direction: 'ASCENDING' | 'DESCENDING'}>
  query?: string
  properties: string[] | null
  limit: number
  after: number
}

const OPERATORS = new Set(['EQ', 'NEQ', 'GT', 'GTE', 'LT', 'LTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'])

function bad(message: string): never {
  throw new ApiError(400, message, 'VALIDATION_ERROR')
}

/** Validates a search body against HubSpot's limits (groups, filters, page size, the 10,000 cap). */
export function parseSearchBody(body: unknown): SearchRequest {
  const b = (body ?? {}) as Record<string, unknown>
  const groups = (b.filterGroups ?? []) as Array<{filters?: Filter[]}>
  if (!Array.isArray(groups)) bad('Invalid input JSON: "filterGroups" must be an array')
  if (groups.length > LIMITS.searchMaxFilterGroups) bad(`Too many filter groups: ${groups.length}. The maximum is ${LIMITS.searchMaxFilterGroups}.`)
  let total = 0
  const filterGroups = groups.map((g) => {
    const filters = g?.filters ?? []
    if (!Array.isArray(filters)) bad('Invalid input JSON: "filters" must be an array')
    if (filters.length > LIMITS.searchMaxFiltersPerGroup) bad(`Too many filters in a filter group: ${filters.length}. The maximum is ${LIMITS.searchMaxFiltersPerGroup}.`)
    total += filters.length
    for (const f of filters) {
      if (!f || typeof f.propertyName !== 'string') bad('Invalid filter: "propertyName" is required')
      if (!OPERATORS.has(f.operator)) bad(`Invalid filter operator: ${String(f.operator)}`)
      if (Array.isArray(f.values) && f.values.length > LIMITS.searchMaxInValues)
        bad(`Too many values in a ${f.operator} filter on ${f.propertyName}: ${f.values.length}. The maximum is ${LIMITS.searchMaxInValues}.`)
    }
    return {filters}
  })
  if (total > LIMITS.searchMaxFiltersTotal) bad(`Too many filters: ${total}. The maximum is ${LIMITS.searchMaxFiltersTotal} across all filter groups.`)
  const sortsIn = (b.sorts ?? []) as unknown[]
  if (!Array.isArray(sortsIn)) bad('Invalid input JSON: "sorts" must be an array')
  const sorts = sortsIn.map((s) => {
    if (typeof s === 'string') return s.startsWith('-') ? {propertyName: s.slice(1), direction: 'DESCENDING' as const} : {propertyName: s, direction: 'ASCENDING' as const}
    const o = s as {propertyName?: unknown; direction?: unknown}
    if (typeof o?.propertyName !== 'string') bad('Invalid sort: "propertyName" is required')
    if (o.direction !== undefined && o.direction !== 'ASCENDING' && o.direction !== 'DESCENDING') bad(`Invalid sort direction: ${String(o.direction)}; use ASCENDING or DESCENDING`)
    return {propertyName: o.propertyName, direction: o.direction === 'DESCENDING' ? ('DESCENDING' as const) : ('ASCENDING' as const)}
  })
  const limit = b.limit === undefined ? 10 : Number(b.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.searchPageMax) bad(`Invalid limit: ${String(b.limit)}; it must be between 1 and ${LIMITS.searchPageMax}`)
  const afterRaw = b.after === undefined || b.after === null || b.after === '' ? '0' : String(b.after)
  if (!/^\d{1,9}$/.test(afterRaw)) bad(`Invalid after: ${afterRaw}`)
  const after = Number(afterRaw)
  if (after >= LIMITS.searchResultCap)
    bad(`Paging past ${LIMITS.searchResultCap} results is not supported: after=${after}. Narrow the query (for example with a filter on the last seen value of the sort property) and page again.`)
  const properties = b.properties === undefined || b.properties === null ? null : Array.isArray(b.properties) && b.properties.length > 0 ? (b.properties as string[]) : null
  if (typeof b.query === 'string' && b.query.length > LIMITS.searchMaxQueryChars) bad(`Query too long: ${b.query.length} characters; at most ${LIMITS.searchMaxQueryChars} are allowed.`)
  return {filterGroups, sorts, query: typeof b.query === 'string' ? b.query : undefined, properties, limit, after}
}

type Kind = 'id' | 'mod' | 'number' | 'date' | 'string'

function kindOf(e: EntityInfo, name: string): Kind {
  if (name === 'hs_object_id') return 'id'
  if (name === e.modifiedProperty) return 'mod'
  const t = e.propTypes.get(name)
  if (t === 'number') return 'number'
  if (t === 'date' || t === 'datetime') return 'date'
  return 'string'
}

/** Column names of the search view: p (props JSON), m (modified ms), idlen, id. */
function expr(kind: Kind, params: unknown[], name: string): string {
  switch (kind) {
    case 'id':
      return 'id'
    case 'mod':
      return 'm'
    case 'number':
      params.push(jsonPath(name))
      return 'CAST(json_extract(p, ?) AS REAL)'
    case 'date':
      params.push(jsonPath(name))
      return 'hs_ms(json_extract(p, ?))'
    default:
      params.push(jsonPath(name))
      return 'json_extract(p, ?)'
  }
}

function convert(kind: Kind, v: unknown): unknown {
  if (v === undefined || v === null) bad('Invalid filter: a value is required for this operator')
  if (kind === 'number') {
    const n = Number(v)
    return Number.isNaN(n) ? bad(`Invalid number value: ${String(v)}`) : n
  }
  if (kind === 'date' || kind === 'mod') {
    const ms = toMs(v)
    return ms === null ? bad(`Invalid date value: ${String(v)}; use epoch milliseconds or ISO 8601`) : ms
  }
  if (kind === 'id') {
    const s = String(v)
    return isId(s) ? s : bad(`Invalid hs_object_id value: ${s}`)
  }
  return typeof v === 'boolean' ? String(v) : String(v)
}

const CMP: Record<string, string> = {GT: '>', GTE: '>=', LT: '<', LTE: '<=', EQ: '=', NEQ: '='}

/** SQL for one filter; ids compare as (length, text) so ids beyond 2^53 stay exact. */
function filterSql(e: EntityInfo, f: Filter, params: unknown[]): string {
  const kind = kindOf(e, f.propertyName)
  if (f.operator === 'HAS_PROPERTY' || f.operator === 'NOT_HAS_PROPERTY') {
    const x = kind === 'id' ? "'x'" : kind === 'mod' ? 'm' : (params.push(jsonPath(f.propertyName)), "NULLIF(json_extract(p, ?), '')")
    return f.operator === 'HAS_PROPERTY' ? `${x} IS NOT NULL` : `${x} IS NULL`
  }
  const cmp = (op: string, v: unknown): string => {
    const val = convert(kind, v)
    if (kind === 'id') {
      const s = val as string
      params.push(s.length, s)
      return `(idlen, id) ${op} (?, ?)`
    }
    const x = expr(kind, params, f.propertyName)
    params.push(val)
    return `${x} ${op} ?`
  }
  if (f.operator in CMP) {
    if (f.operator === 'NEQ') return `(${cmp('=', f.value)}) IS NOT TRUE`
    return cmp(CMP[f.operator], f.value)
  }
  if (f.operator === 'BETWEEN') return `(${cmp('>=', f.value)} AND ${cmp('<=', f.highValue)})`
  if (f.operator === 'IN' || f.operator === 'NOT_IN') {
    if (!Array.isArray(f.values) || f.values.length === 0) bad(`Invalid filter: ${f.operator} needs a non-empty "values" array`)
    const parts = f.values.map((v) => cmp('=', v))
    const any = `(${parts.join(' OR ')})`
    return f.operator === 'IN' ? any : `${any} IS NOT TRUE`
  }
  // CONTAINS_TOKEN / NOT_CONTAINS_TOKEN: whole-token, case-insensitive match
  const x = expr('string', params, f.propertyName)
  params.push(`%${String(f.value ?? '').replace(/[%_]/g, '')}%`)
  const like = `lower(${x}) LIKE lower(?)`
  return f.operator === 'CONTAINS_TOKEN' ? like : `(${like}) IS NOT TRUE`
}

export interface CompiledSearch {
  where: string
  whereParams: unknown[]
  order: string
  orderParams: unknown[]
}

/** Compiles filters (groups OR-ed, filters AND-ed) and sorts (id ascending breaks ties). */
export function compileSearch(e: EntityInfo, req: SearchRequest): CompiledSearch {
  const whereParams: unknown[] = []
  const groups = req.filterGroups.filter((g) => g.filters.length > 0).map((g) => `(${g.filters.map((f) => filterSql(e, f, whereParams)).join(' AND ')})`)
  let where = groups.length > 0 ? `(${groups.join(' OR ')})` : '1'
  if (req.query) {
    whereParams.push(`%${req.query.replace(/[%_]/g, '')}%`)
    where += ' AND lower(p) LIKE lower(?)'
  }
  const orderParams: unknown[] = []
  const order = req.sorts.map((s) => {
    const kind = kindOf(e, s.propertyName)
    const dir = s.direction === 'DESCENDING' ? 'DESC' : 'ASC'
    if (kind === 'id') return `idlen ${dir}, id ${dir}`
    return `${expr(kind, orderParams, s.propertyName)} ${dir}`
  })
  order.push('idlen ASC', 'id ASC')
  return {where, whereParams, order: order.join(', '), orderParams}
}
