/**
 * Further custom objects, added by configuration rather than code: a JSON or YAML file listing
 * `{entity, objectType (name or 2-<n> id), properties, modifiedProperty?, associations?}`, and
 * optionally `divisionsObjectType` (2-<n>) to skip resolving the built-in divisions object by name.
 */
import {readFileSync} from 'node:fs'
import {parse as parseYaml} from 'yaml'
import {z} from 'zod'
import {UsageError} from '../../core/errors.js'

const ENTITY = /^[a-z][a-z0-9_]{0,62}$/

const objectSchema = z.object({
  entity: z.string().regex(ENTITY, 'entity must be lower-case letters, digits and _ (starting with a letter)'),
  objectType: z.string().min(1),
  properties: z.array(z.string().min(1)).default([]),
  modifiedProperty: z.string().min(1).default('hs_lastmodifieddate'),
  /** entities this object has associations to (read from this object's side) */
  associations: z.array(z.string()).default([]),
})

const fileSchema = z.object({
  /** object type id (2-<n>) of the built-in `divisions` object, instead of resolving it by name */
  divisionsObjectType: z
    .string()
    .regex(/^2-\d+$/, 'divisionsObjectType must be a custom object type id like 2-1234')
    .optional(),
  objects: z.array(objectSchema).default([]),
})

export type CustomObjectDef = z.infer<typeof objectSchema>

/** A loaded objects config file. */
export interface ObjectsConfig {
  objects: CustomObjectDef[]
  divisionsObjectType?: string
}

/** Load and validate an objects config file; UsageError (exit 2) naming the problem otherwise. */
export function loadObjectsConfig(path: string, reserved: string[]): ObjectsConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new UsageError(
      `cannot read objects config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'pass an existing JSON or YAML file with --objects (or CRMSYNC_OBJECTS)',
      'BAD_OBJECTS_CONFIG',
    )
  }
  let data: unknown
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new UsageError(
      `objects config ${path} does not parse: ${(err as Error).message}`,
      'write it as {"objects": [{"entity": "projects", "objectType": "projects", "properties": ["name"]}]}',
      'BAD_OBJECTS_CONFIG',
    )
  }
  const parsed = fileSchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UsageError(
      `objects config ${path}: ${issue.path.join('.')}: ${issue.message}`,
      'each entry needs "entity" (lower-case name) and "objectType" (schema name or 2-<n> id), optionally "properties"',
      'BAD_OBJECTS_CONFIG',
    )
  }
  const seen = new Set(reserved)
  for (const o of parsed.data.objects) {
    if (seen.has(o.entity))
      throw new UsageError(`objects config ${path}: entity "${o.entity}" is defined twice or clashes with a built-in entity`, 'give each configured object its own entity name', 'BAD_OBJECTS_CONFIG')
    seen.add(o.entity)
    if (!o.properties.includes(o.modifiedProperty)) o.properties.push(o.modifiedProperty)
  }
  return {objects: parsed.data.objects, divisionsObjectType: parsed.data.divisionsObjectType}
}
