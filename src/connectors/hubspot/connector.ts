/**
 * The HubSpot connector: builds the HTTP client and lists the streams (contacts, deals,
 * appointments, divisions, configured custom objects, associations).
 */
import type {Connector, ConnectorConfig, ObjectStreamDef, StreamDef} from '../../core/connector.js'
import {type ApiClient, streamClient} from '../../core/http-types.js'
import type {PropertyDefinition} from '../../core/records.js'
import {selectBudget} from '../../core/budget-select.js'
import {associationStream, type EntityRef} from './associations.js'
import {HubSpotHttpClient} from './http-client.js'
import {hubspotObjectApi, type ObjectApiOptions} from './object-api.js'
import {resolveConnection} from './config.js'
import {ASSOCIATION_PAIRS, ENTITIES, LIMITS, OBJECTS, parseApiVersion} from './objects.js'
import {compareIds} from '../../core/ids.js'
import {mergedObjectIds, recordKey, toHubSpotRecord} from './records.js'
import {describeProperties, loadSchemas, resolveObjectType} from './schema.js'

/** Definition of one object stream before its object type is resolved. */
interface ObjectSpec {
  entity: string
  objectType: string | null
  nameForLookup: string
  modifiedProperty: string
  properties: string[]
}

function specs(config: ConnectorConfig): ObjectSpec[] {
  const builtIn = Object.values(OBJECTS).map((o) => ({
    entity: o.entity,
    objectType: o.entity === 'divisions' && typeof config.settings?.divisionsObjectType === 'string' ? config.settings.divisionsObjectType : o.objectTypeId,
    nameForLookup: o.pathSegment,
    modifiedProperty: o.modifiedProperty,
    properties: [...o.defaultProperties],
  }))
  const custom = (config.customObjects ?? []).map((c) => ({
    entity: c.entity,
    objectType: null,
    nameForLookup: c.objectType,
    modifiedProperty: c.modifiedProperty ?? 'hs_lastmodifieddate',
    properties: [...new Set([...(c.properties ?? []), c.modifiedProperty ?? 'hs_lastmodifieddate'])],
  }))
  return [...builtIn, ...custom]
}

/** One object stream; `objectType` is the resolved type id used in every path. */
export function objectStream(parent: ApiClient, entity: string, objectType: string, modifiedProperty: string, properties: string[], apiOptions: ObjectApiOptions = {}): ObjectStreamDef {
  const client = streamClient(parent)
  let described: Promise<PropertyDefinition[]> | undefined
  return {
    kind: 'object',
    name: entity,
    entity,
    primaryKey: 'id',
    replicationKey: modifiedProperty,
    properties,
    describe: (signal) => (described ??= describeProperties(client, objectType, properties, signal)),
    toRecord: toHubSpotRecord,
    keyOf: (raw) => recordKey(raw, modifiedProperty),
    compareIds,
    mergedIds: mergedObjectIds,
    maxListPage: LIMITS.listPageMax,
    maxSearchPage: LIMITS.searchPageMax,
    api: hubspotObjectApi(client, objectType, modifiedProperty, apiOptions),
    stats: client.stats,
  }
}

export const hubspotConnector: Connector = {
  name: 'hubspot',
  entities: ENTITIES,
  async loadObjects(file, reserved) {
    // imported only when used: the config parser pulls in zod and yaml (some 230 modules)
    const {loadObjectsConfig} = await import('./objects-config.js')
    const parsed = loadObjectsConfig(file, reserved)
    return {objects: parsed.objects, settings: parsed.divisionsObjectType ? {divisionsObjectType: parsed.divisionsObjectType} : undefined}
  },
  configure(req) {
    const conn = resolveConnection({baseUrl: req.baseUrl, config: req.config})
    const apiVersion = parseApiVersion(req.apiVersion)
    return {
      baseUrl: conn.baseUrl,
      accessToken: conn.accessToken,
      apiVersion,
      customObjects: req.customObjects,
      settings: req.settings,
      logger: req.logger,
      rateLimit: req.rateLimit,
      sharedBudget: req.sharedBudget,
    }
  },
  createClient(config: ConnectorConfig): ApiClient {
    const budget = selectBudget({redisUrl: config.sharedBudget, baseUrl: config.baseUrl, accessToken: config.accessToken, ...config.rateLimit})
    return new HubSpotHttpClient({baseUrl: config.baseUrl, accessToken: config.accessToken, apiVersion: parseApiVersion(config.apiVersion), logger: config.logger, budget})
  },
  async streams(client: ApiClient, config: ConnectorConfig, signal?: AbortSignal): Promise<StreamDef[]> {
    const all = specs(config)
    const needsLookup = all.some((s) => s.objectType === null)
    const schemas = needsLookup ? await loadSchemas(client, signal) : new Map<string, string>()
    const streams: StreamDef[] = []
    const refs = new Map<string, EntityRef>()
    const associationClient = streamClient(client)
    for (const s of all) {
      const type = s.objectType ?? resolveObjectType(s.nameForLookup, schemas, s.entity)
      const stream = objectStream(client, s.entity, type, s.modifiedProperty, s.properties, {baseUrl: config.baseUrl})
      streams.push(stream)
      // the associations stream's searches count as its own requests
      refs.set(s.entity, {
        entity: s.entity,
        objectType: type,
        stream: stream.name,
        modifiedProperty: s.modifiedProperty,
        api: hubspotObjectApi(associationClient, type, s.modifiedProperty, {baseUrl: config.baseUrl}),
      })
    }
    const pairs: Array<[string, string]> = [...ASSOCIATION_PAIRS]
    for (const c of config.customObjects ?? []) for (const to of c.associations ?? []) pairs.push([c.entity, to])
    streams.push(associationStream(associationClient, refs, pairs))
    return streams
  },
}
