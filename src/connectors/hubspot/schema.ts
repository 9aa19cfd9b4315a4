/** Object-type resolution (custom objects by name through the schemas API) and property typing. */
import {UsageError} from '../../core/errors.js'
import type {ApiClient} from '../../core/http-types.js'
import type {PropertyDefinition, PropertyType} from '../../core/records.js'
import {PATHS} from './objects.js'

interface SchemaEntry {
  objectTypeId?: string
  name?: string
  fullyQualifiedName?: string
}

const OBJECT_TYPE_ID = /^\d+-\d+$/

/** GET /crm/v3/schemas: every custom object schema of the portal, as HubSpot returns it. */
export async function listSchemas(client: ApiClient, signal?: AbortSignal): Promise<Array<Record<string, unknown>>> {
  const res = await client.request<{results?: Array<Record<string, unknown>>}>({method: 'GET', path: PATHS.schemas()}, signal)
  return Array.isArray(res.body?.results) ? res.body.results : []
}

/** GET /crm/v3/properties/{type}: every property definition of an object type, as HubSpot returns it. */
export async function listProperties(client: ApiClient, type: string, signal?: AbortSignal): Promise<Array<Partial<PropertyDefinition> & {name?: string}>> {
  const res = await client.request<{results?: Array<Partial<PropertyDefinition> & {name?: string}>}>({method: 'GET', path: PATHS.properties(type)}, signal)
  return Array.isArray(res.body?.results) ? res.body.results : []
}

/** Every custom object schema of the portal, keyed by name, fully qualified name and type id. */
export async function loadSchemas(client: ApiClient, signal?: AbortSignal): Promise<Map<string, string>> {
  const map = new Map<string, string>()
  for (const s of (await listSchemas(client, signal)) as SchemaEntry[]) {
    if (!s.objectTypeId) continue
    for (const key of [s.name, s.fullyQualifiedName, s.objectTypeId]) if (key) map.set(key.toLowerCase(), s.objectTypeId)
  }
  return map
}

/**
 * The object type id for a configured object type: an id like `2-1234` is used as is; a name
 * (`divisions`, `p123_divisions`) is looked up among the portal's schemas.
 */
export function resolveObjectType(objectType: string, schemas: Map<string, string>, entity: string): string {
  if (OBJECT_TYPE_ID.test(objectType)) return objectType
  const id = schemas.get(objectType.toLowerCase())
  if (!id) {
    const known = [...new Set(schemas.values())].join(', ') || 'none'
    throw new UsageError(
      `custom object "${objectType}" (entity ${entity}) is not among this portal's schemas (custom object type ids: ${known})`,
      'create or activate the custom object in HubSpot, or give its object type id (2-<n>) in the objects config file',
      'UNKNOWN_OBJECT_TYPE',
    )
  }
  return id
}

const TYPES = new Set<PropertyType>(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'])

/**
 * Property definitions for `wanted` from GET /crm/v3/properties/{type}; a requested property the
 * portal does not define is typed as a string so that nothing is dropped.
 */
export async function describeProperties(client: ApiClient, type: string, wanted: string[], signal?: AbortSignal): Promise<PropertyDefinition[]> {
  const byName = new Map<string, PropertyDefinition>()
  for (const p of await listProperties(client, type, signal)) {
    if (typeof p.name !== 'string') continue
    const type = TYPES.has(p.type as PropertyType) ? (p.type as PropertyType) : 'string'
    byName.set(p.name, {...p, name: p.name, label: p.label ?? p.name, type, fieldType: p.fieldType ?? 'text'} as PropertyDefinition)
  }
  return wanted.map((name) => byName.get(name) ?? {name, label: name, type: 'string', fieldType: 'text'})
}
