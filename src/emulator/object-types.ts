/** The object types a loaded portal serves, and how URL segments (id, name, fully qualified name) resolve to them. */
import type {ObjectTypeManifest} from '../portal/types.js'
import type {PropertyDefinition, PropertyType} from '../core/records.js'
import {ApiError} from './errors.js'
import {STANDARD_OBJECTS} from './hubspot-limits.js'

export interface EntityInfo {
  /** small integer stored in the SQLite tables */
  index: number
  name: string
  objectTypeId: string
  fullyQualifiedName?: string
  modifiedProperty: string
  /** created-date property (createdate for contacts and deals, hs_createdate otherwise) */
  createdProperty: string
  properties: PropertyDefinition[]
  propTypes: Map<string, PropertyType>
  /** properties returned when a request names none */
  defaultProperties: string[]
  schema?: Record<string, unknown>
  /** HubSpot's upper-case object name used in some messages (CONTACT, DEAL, ...) */
  label: string
}

const DEFAULTS: Record<string, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
}

/** An object type of the snapshot; `portalId` names a custom object's fully qualified name when the manifest does not. */
export function buildEntityInfo(index: number, m: ObjectTypeManifest, portalId?: number): EntityInfo {
  const std = STANDARD_OBJECTS.get(m.name)
  const modifiedProperty = std?.modifiedProperty ?? 'hs_lastmodifieddate'
  const createdProperty = std?.createdProperty ?? 'hs_createdate'
  const propTypes = new Map<string, PropertyType>()
  for (const p of m.properties ?? []) propTypes.set(p.name, p.type)
  if (!propTypes.has(modifiedProperty)) propTypes.set(modifiedProperty, 'datetime')
  if (!propTypes.has(createdProperty)) propTypes.set(createdProperty, 'datetime')
  propTypes.set('hs_object_id', 'number')
  return {
    index,
    name: m.name,
    objectTypeId: m.objectTypeId,
    fullyQualifiedName: m.fullyQualifiedName ?? (m.objectTypeId.startsWith('2-') && portalId !== undefined ? `p${portalId}_${m.name}` : undefined),
    modifiedProperty,
    createdProperty,
    properties: m.properties ?? [],
    propTypes,
    defaultProperties: DEFAULTS[m.name] ?? ['hs_object_id', createdProperty, modifiedProperty],
    schema: m.schema,
    label: m.name.replace(/s$/, '').toUpperCase(),
  }
}

/** Resolves every accepted spelling of an object type: `0-1`, `contacts`, `contact`, `2-123`, `p42_divisions`. */
export class ObjectTypeRegistry {
  private readonly byKey = new Map<string, EntityInfo>()
  constructor(readonly entities: EntityInfo[]) {
    for (const e of entities) {
      const schemaName = typeof e.schema?.name === 'string' ? e.schema.name : undefined
      const keys = [e.name, e.objectTypeId, e.fullyQualifiedName, schemaName, e.name.replace(/s$/, ''), e.name === 'companies' ? 'company' : undefined]
      for (const k of keys) if (k && !this.byKey.has(k.toLowerCase())) this.byKey.set(k.toLowerCase(), e)
    }
  }

  find(segment: string): EntityInfo | undefined {
    let key: string
    try {
      key = decodeURIComponent(segment)
    } catch {
      return undefined
    }
    return this.byKey.get(key.toLowerCase())
  }

  /** The entity for a URL segment, or a HubSpot-shaped 400 naming the unknown type. */
  resolve(segment: string): EntityInfo {
    const e = this.find(segment)
    if (!e) throw new ApiError(400, `Unable to infer object type from: ${segment}`, 'VALIDATION_ERROR')
    return e
  }

  byName(name: string): EntityInfo {
    const e = this.find(name)
    if (!e) throw new Error(`unknown entity ${name}`)
    return e
  }
}

/** A date/datetime value (epoch-ms string, ISO 8601, or YYYY-MM-DD) as epoch ms; null when unparseable. */
export function toMs(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null
  const s = String(v)
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.trunc(Number(s))
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : t
}
