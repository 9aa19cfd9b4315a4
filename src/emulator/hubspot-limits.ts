/**
 * HubSpot's API surface as the emulator knows it, written down from ../shared/hubspot-api.md and
 * HubSpot's docs, NOT imported from the client (src/connectors/hubspot/objects.ts): the emulator is
 * an independent oracle, so a client constant that breaks a HubSpot limit makes a test fail instead
 * of moving the emulator along with it (test/unit/emulator-oracle.test.ts).
 */

/** Limits HubSpot enforces; the emulator answers HubSpot's 400 (or 414) past each one. */
export const HUBSPOT_LIMITS = {
  /** GET /crm/v3/objects/{type}?limit= */
  listPageMax: 100,
  /** POST .../search `limit` */
  searchPageMax: 200,
  /** one search query never returns more than this many results (paging past it: 400) */
  searchResultCap: 10_000,
  searchMaxFilterGroups: 5,
  searchMaxFiltersPerGroup: 6,
  searchMaxFiltersTotal: 18,
  /** values of one IN / NOT_IN filter */
  searchMaxInValues: 100,
  /** characters of search query text (`query`) */
  searchMaxQueryChars: 3_000,
  /** POST .../batch/read `inputs` */
  batchReadMax: 100,
  /** POST /crm/v4/associations/{from}/{to}/batch/read `inputs` */
  associationsBatchMax: 1_000,
  /** associations per record per v4 page */
  associationsPageSize: 500,
  /** request line length beyond which HubSpot's load balancer answers 414 */
  maxUrlLength: 8_192,
  /** request body size the emulator accepts (larger: 413) */
  maxBodyBytes: 1_048_576,
} as const

/** The rate tier the emulator enforces and advertises when none is configured (Professional/Enterprise). */
export const DEFAULT_RATE_TIER = {max: 190, intervalMs: 10_000} as const

/** HubSpot's search limit: 5 requests per second per account, a bucket of its own (429 policy SECONDLY). */
export const DEFAULT_SEARCH_RATE = {max: 5, intervalMs: 1000} as const

/** The versions served side by side: the numeric v3/v4 paths and HubSpot's date-versioned ones. */
export const DATED_VERSION = '2026-03'

/** Path patterns (msw syntax) of each endpoint: the numeric version and, where HubSpot documents one, the dated one. */
export const HUBSPOT_PATHS = {
  list: ['/crm/v3/objects/:type', `/crm/objects/${DATED_VERSION}/:type`],
  get: ['/crm/v3/objects/:type/:id', `/crm/objects/${DATED_VERSION}/:type/:id`],
  search: ['/crm/v3/objects/:type/search', `/crm/objects/${DATED_VERSION}/:type/search`],
  batchRead: ['/crm/v3/objects/:type/batch/read', `/crm/objects/${DATED_VERSION}/:type/batch/read`],
  associationsBatchRead: ['/crm/v4/associations/:from/:to/batch/read', `/crm/associations/${DATED_VERSION}/:from/:to/batch/read`],
  associationLabels: ['/crm/v4/associations/:from/:to/labels', `/crm/associations/${DATED_VERSION}/:from/:to/labels`],
  schemas: ['/crm/v3/schemas', '/crm-object-schemas/v3/schemas'],
  properties: ['/crm/v3/properties/:type', `/crm/properties/${DATED_VERSION}/:type`],
  owners: ['/crm/v3/owners'],
  owner: ['/crm/v3/owners/:id'],
  pipelines: ['/crm/v3/pipelines/:type'],
} as const

/** HubSpot's standard objects: object type id, the name used in paths, and the modified-date property. */
export const STANDARD_OBJECTS: ReadonlyMap<string, {objectTypeId: string; modifiedProperty: string; createdProperty: string}> = new Map([
  ['contacts', {objectTypeId: '0-1', modifiedProperty: 'lastmodifieddate', createdProperty: 'createdate'}],
  ['companies', {objectTypeId: '0-2', modifiedProperty: 'hs_lastmodifieddate', createdProperty: 'createdate'}],
  ['deals', {objectTypeId: '0-3', modifiedProperty: 'hs_lastmodifieddate', createdProperty: 'createdate'}],
  ['tickets', {objectTypeId: '0-5', modifiedProperty: 'hs_lastmodifieddate', createdProperty: 'createdate'}],
  ['appointments', {objectTypeId: '0-421', modifiedProperty: 'hs_lastmodifieddate', createdProperty: 'hs_createdate'}],
])

/** Default (HUBSPOT_DEFINED) association type ids, forward / reverse, from HubSpot's table. */
export const DEFAULT_ASSOCIATION_TYPE_IDS: ReadonlyArray<{from: string; to: string; typeId: number; inverseTypeId: number}> = [
  {from: 'contacts', to: 'companies', typeId: 279, inverseTypeId: 280},
  {from: 'contacts', to: 'deals', typeId: 4, inverseTypeId: 3},
  {from: 'deals', to: 'companies', typeId: 341, inverseTypeId: 342},
  {from: 'contacts', to: 'tickets', typeId: 15, inverseTypeId: 16},
  {from: 'deals', to: 'tickets', typeId: 27, inverseTypeId: 28},
  {from: 'appointments', to: 'contacts', typeId: 906, inverseTypeId: 907},
  {from: 'appointments', to: 'companies', typeId: 908, inverseTypeId: 909},
  {from: 'appointments', to: 'deals', typeId: 944, inverseTypeId: 945},
  {from: 'appointments', to: 'tickets', typeId: 946, inverseTypeId: 947},
]
