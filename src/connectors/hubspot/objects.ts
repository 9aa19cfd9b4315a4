import {UsageError} from '../../core/errors.js'

/**
 * The HubSpot objects crmsync knows about, and every API path in one place, so that a move to a
 * newer API version (e.g. /crm/objects/2026-03/...) is a one-line change here.
 */

export interface ObjectDef {
  /** crmsync entity name */
  entity: string
  /** object type id; custom objects are resolved at run time through the schemas API */
  objectTypeId: string | null
  /** path segment used in URLs when objectTypeId is not used */
  pathSegment: string
  /** property that carries the record's last-modified time (search filters and sorts on it) */
  modifiedProperty: string
  /** properties the reference legacy system uses */
  defaultProperties: string[]
  custom: boolean
}

export const OBJECTS: Record<string, ObjectDef> = {
  contacts: {
    entity: 'contacts',
    objectTypeId: '0-1',
    pathSegment: 'contacts',
    modifiedProperty: 'lastmodifieddate',
    defaultProperties: ['email', 'firstname', 'lastname', 'phone', 'lifecyclestage', 'createdate', 'lastmodifieddate', 'hs_merged_object_ids'],
    custom: false,
  },
  deals: {
    entity: 'deals',
    objectTypeId: '0-3',
    pathSegment: 'deals',
    modifiedProperty: 'hs_lastmodifieddate',
    defaultProperties: ['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'createdate', 'hs_lastmodifieddate', 'hs_merged_object_ids'],
    custom: false,
  },
  appointments: {
    entity: 'appointments',
    objectTypeId: '0-421',
    pathSegment: 'appointments',
    modifiedProperty: 'hs_lastmodifieddate',
    defaultProperties: ['hs_appointment_name', 'hs_appointment_start', 'hs_appointment_end', 'hs_appointment_status', 'hs_createdate', 'hs_lastmodifieddate'],
    custom: false,
  },
  divisions: {
    entity: 'divisions',
    objectTypeId: null,
    pathSegment: 'divisions',
    modifiedProperty: 'hs_lastmodifieddate',
    defaultProperties: ['division_name', 'division_code', 'region', 'is_active', 'hs_createdate', 'hs_lastmodifieddate'],
    custom: true,
  },
}

export const ENTITIES = ['contacts', 'deals', 'appointments', 'divisions'] as const
export type Entity = (typeof ENTITIES)[number]

/** Association pairs in scope (from → to). Each is read with v4 batch read from the `from` side. */
export const ASSOCIATION_PAIRS: Array<[Entity, Entity]> = [
  ['contacts', 'deals'],
  ['contacts', 'divisions'],
  ['deals', 'divisions'],
  ['appointments', 'contacts'],
  ['appointments', 'deals'],
  ['appointments', 'divisions'],
]

export const DEFAULT_BASE_URL = 'https://api.hubapi.com'

/** API limits HubSpot documents; the clients respect them. The emulator keeps its own copy (src/emulator/hubspot-limits.ts) and a test checks none of these exceeds it. */
export const LIMITS = {
  listPageMax: 100,
  searchPageMax: 200,
  searchResultCap: 10_000,
  searchMaxFilterGroups: 5,
  searchMaxFiltersPerGroup: 6,
  searchMaxFiltersTotal: 18,
  batchReadMax: 100,
  associationsBatchMax: 1000,
  /** practical URL length beyond which the list endpoint answers 414 */
  maxUrlLength: 8192,
} as const

/** Every API path, in one place. `type` is an object type id, path segment or fully qualified name. */
export const PATHS = {
  list: (type: string) => `/crm/v3/objects/${type}`,
  get: (type: string, id: string) => `/crm/v3/objects/${type}/${id}`,
  search: (type: string) => `/crm/v3/objects/${type}/search`,
  batchRead: (type: string) => `/crm/v3/objects/${type}/batch/read`,
  associationsBatchRead: (from: string, to: string) => `/crm/v4/associations/${from}/${to}/batch/read`,
  schemas: () => '/crm/v3/schemas',
  schemasAlt: () => '/crm-object-schemas/v3/schemas',
  properties: (type: string) => `/crm/v3/properties/${type}`,
} as const

/**
 * HubSpot's API versions crmsync speaks: the numeric paths (`/crm/v3/...`, `/crm/v4/...`, which
 * HubSpot stops supporting in September 2027) and the date-versioned ones. The default is the
 * dated version, with `v3` as the fallback (`--api-version v3`).
 */
export const API_VERSIONS = ['2026-03', 'v3'] as const
export type ApiVersion = (typeof API_VERSIONS)[number]
export const DEFAULT_API_VERSION: ApiVersion = '2026-03'

/** Numeric-path prefixes and their dated counterparts; an endpoint without a documented dated form (schemas) keeps its numeric path. */
const DATED_PREFIXES: Array<[RegExp, (v: string) => string]> = [
  [/^\/crm\/v3\/objects\//, (v) => `/crm/objects/${v}/`],
  [/^\/crm\/v4\/associations\//, (v) => `/crm/associations/${v}/`],
  [/^\/crm\/v3\/properties\//, (v) => `/crm/properties/${v}/`],
]

/** The path of `path` (one of PATHS, numeric) in API version `version`. */
export function versionedPath(path: string, version: ApiVersion): string {
  if (version === 'v3') return path
  for (const [re, dated] of DATED_PREFIXES) if (re.test(path)) return path.replace(re, dated(version))
  return path
}

/** `--api-version` / CRMSYNC_API_VERSION / the config file's "apiVersion", checked. */
export function parseApiVersion(value: string | undefined, source = '--api-version'): ApiVersion {
  if (value === undefined || value.trim() === '') return DEFAULT_API_VERSION
  const v = value.trim().toLowerCase()
  if ((API_VERSIONS as readonly string[]).includes(v)) return v as ApiVersion
  throw new UsageError(`${source} "${value}" is not an API version crmsync speaks`, `use one of: ${API_VERSIONS.join(', ')} (default ${DEFAULT_API_VERSION})`, 'BAD_API_VERSION')
}
