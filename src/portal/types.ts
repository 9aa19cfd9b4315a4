/**
 * Portal snapshot types: the manifest of the on-disk format (records and association rows are
 * the core's `CrmRecord` and `AssociationRow`, src/core/records.ts) (docs/portal-format.md).
 */
import type {AssociationTypeDef, PropertyDefinition} from '../core/records.js'

/** A property as HubSpot's properties API describes it: the core's definition plus HubSpot's own flags. */
export interface HubSpotPropertyDefinition extends PropertyDefinition {
  /** defined by HubSpot rather than by the portal */
  hubspotDefined?: boolean
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
  properties: HubSpotPropertyDefinition[]
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
