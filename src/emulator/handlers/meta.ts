/** Schemas (both paths) and property definitions. */
import type {EmulatorContext} from '../context.js'
import {json} from '../errors.js'
import type {EntityInfo} from '../object-types.js'

function schemaOf(e: EntityInfo): Record<string, unknown> {
  if (e.schema) return e.schema
  const singular = e.name.replace(/s$/, '')
  return {
    id: e.objectTypeId.split('-')[1],
    name: e.name,
    objectTypeId: e.objectTypeId,
    fullyQualifiedName: e.fullyQualifiedName ?? e.name,
    labels: {singular: singular[0].toUpperCase() + singular.slice(1), plural: e.name[0].toUpperCase() + e.name.slice(1)},
    primaryDisplayProperty: e.properties[0]?.name ?? 'hs_object_id',
    requiredProperties: [],
    searchableProperties: [],
    secondaryDisplayProperties: [],
    properties: e.properties,
    associations: [],
    archived: false,
  }
}

/** GET /crm/v3/schemas and /crm-object-schemas/v3/schemas: the custom object types (objectTypeId 2-*). */
export function listSchemas(ctx: EmulatorContext): Response {
  const results = ctx.store.entities.filter((e) => e.objectTypeId.startsWith('2-')).map(schemaOf)
  return json(200, {results})
}

/** GET /crm/v3/properties/{type} */
export function listProperties(e: EntityInfo): Response {
  return json(200, {results: e.properties})
}
