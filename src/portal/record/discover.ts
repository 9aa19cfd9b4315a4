/** Recorder step 1: find the object types (divisions through the schemas API) and their properties. */
import {CrmsyncError, UsageError} from '../../core/errors.js'
import {ScopeError} from '../../connectors/hubspot/api-errors.js'
import type {ApiClient} from '../../core/http-types.js'
import {listProperties, listSchemas} from '../../connectors/hubspot/schema.js'
import {OBJECTS, PATHS, type Entity} from '../../connectors/hubspot/objects.js'
import type {PropertyDefinition} from '../../core/records.js'
import type {RecordedObjectType} from './work-state.js'

/**
 * Reads GET /crm/v3/schemas and GET /crm/v3/properties/{type} for each entity. The portal id comes
 * from `portalId` or from a custom object's fully qualified name (p<portalId>_<name>).
 */
export async function discoverObjectTypes(api: ApiClient, entities: Entity[], portalId: number | undefined, signal?: AbortSignal): Promise<{portalId: number; objectTypes: RecordedObjectType[]}> {
  const needsSchemas = entities.some((e) => OBJECTS[e].custom)
  let schemas: Array<Record<string, unknown>> = []
  try {
    schemas = await listSchemas(api, signal)
  } catch (err) {
    // without custom objects the schemas only serve to find the portal id: --portal-id can replace them
    if (needsSchemas || portalId === undefined || !(err instanceof ScopeError)) throw err
  }
  let pid = portalId
  for (const s of schemas) {
    const m = /^p(\d+)_/.exec(String(s.fullyQualifiedName ?? ''))
    if (pid === undefined && m) pid = Number(m[1])
  }
  if (pid === undefined || !Number.isSafeInteger(pid) || pid <= 0) {
    throw new UsageError('cannot tell the portal id: the portal has no custom object whose name carries it', 'pass --portal-id <your HubSpot hub id>', 'NO_PORTAL_ID')
  }
  const objectTypes: RecordedObjectType[] = []
  for (const e of entities) {
    const def = OBJECTS[e]
    let objectTypeId = def.objectTypeId
    let fullyQualifiedName: string | undefined
    let schema: Record<string, unknown> | undefined
    if (def.custom) {
      schema = schemas.find((s) => s.name === e || new RegExp(`^p\\d+_${e}$`).test(String(s.fullyQualifiedName ?? '')))
      if (!schema) {
        throw new CrmsyncError(`the portal has no custom object named "${e}" (GET ${PATHS.schemas()} lists ${schemas.map((s) => String(s.name)).join(', ') || 'none'})`, {
          code: 'NO_CUSTOM_OBJECT',
          suggestion: `create the "${e}" custom object in HubSpot, or leave it out with --entities ${Object.keys(OBJECTS)
            .filter((x) => x !== e)
            .join(',')}`,
        })
      }
      objectTypeId = String(schema.objectTypeId)
      fullyQualifiedName = typeof schema.fullyQualifiedName === 'string' ? schema.fullyQualifiedName : undefined
    }
    const properties = (await listProperties(api, objectTypeId!, signal)) as PropertyDefinition[]
    objectTypes.push({name: e, objectTypeId: objectTypeId!, ...(fullyQualifiedName ? {fullyQualifiedName} : {}), properties, ...(schema ? {schema} : {})})
  }
  return {portalId: pid, objectTypes}
}
