/**
 * Portal snapshot types: records exactly as HubSpot's CRM v3 API returns them, plus the
 * manifest and association rows of the on-disk format (docs/portal-format.md).
 */

/** HubSpot property types as reported by GET /crm/v3/properties/{objectType}. */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number'

export interface PropertyDefinition {
  name: string
  label: string
  type: PropertyType
  fieldType: string
  groupName?: string
  description?: string
  options?: Array<{label: string; value: string; displayOrder?: number; hidden?: boolean}>
  hubspotDefined?: boolean
  calculated?: boolean
  hasUniqueValue?: boolean
}

/** A CRM object record as the API returns it (list, search, batch read). Ids are digit strings: never numbers. */
export interface HubSpotRecord {
  id: string
  properties: Record<string, string | null>
  createdAt: string
  updatedAt: string
  archived: boolean
  archivedAt?: string
}

export interface AssociationType {
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED'
  typeId: number
  label: string | null
}

/** One from→to record pair with every association type between them (v4 shape). */
export interface AssociationRow {
  fromType: string // entity name, e.g. "contacts"
  fromId: string
  toType: string
  toId: string
  types: AssociationType[]
}

/**
 * One association type in one direction, as GET /crm/v4/associations/{from}/{to}/labels lists it,
 * plus the type id of the same association seen from the other side (`inverseTypeId`), so that a
 * reader can serve the reverse direction of an edge stored once in its canonical direction.
 */
export interface AssociationTypeDef {
  /** entity name of the `from` side, e.g. "contacts" */
  fromType: string
  /** entity name of the `to` side, e.g. "deals" */
  toType: string
  category: AssociationType['category']
  typeId: number
  label: string | null
  /** typeId of the same association type in the toType→fromType direction */
  inverseTypeId: number
}

export interface ObjectTypeManifest {
  /** entity name used by crmsync: contacts, deals, appointments, divisions */
  name: string
  /** HubSpot object type id: 0-1, 0-3, 0-421, 2-<n> */
  objectTypeId: string
  /** fully qualified name for custom objects (p<portalId>_divisions) */
  fullyQualifiedName?: string
  /** record file relative to the snapshot folder */
  file: string
  /** live + archived record count */
  count: number
  archivedCount: number
  properties: PropertyDefinition[]
  /** the custom object schema as GET /crm/v3/schemas returns it (custom objects only) */
  schema?: Record<string, unknown>
}

export interface PortalManifest {
  formatVersion: 1
  portalId: number
  capturedAt: string
  tool: {name: 'crmsync'; version: string}
  /** how the snapshot was made: generate (seed), record (base URL without secrets), or by hand */
  source?: {kind: 'generate' | 'record' | 'fixture'; seed?: number; baseUrl?: string; redacted?: string[]}
  gzip: boolean
  objects: ObjectTypeManifest[]
  /** association rows file (canonical direction only, see ASSOCIATION_PAIRS) and its row count */
  associations: {file: string; count: number}
  /** every association type in both directions, with inverse type ids */
  associationTypes: AssociationTypeDef[]
}
