/**
 * Reading and validating manifest.json. Every failure is a UsageError (exit 2) that names the
 * file and the fix.
 */
import {existsSync, statSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {z} from 'zod'
import {UsageError} from '../core/errors.js'
import {FORMAT_VERSION, MANIFEST_FILE} from './snapshot-format.js'
import type {PortalManifest} from './types.js'

const FIX = 'Re-create it with `crmsync portal generate --out DIR ...` or `crmsync portal record --out DIR`.'

const propertySchema = z.looseObject({
  name: z.string().min(1),
  label: z.string(),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']),
  fieldType: z.string(),
})

const fileName = z.string().regex(/^[a-z][a-z0-9_]*\.ndjson(\.gz)?$/, 'a plain file name like contacts.ndjson')

const manifestSchema = z.looseObject({
  formatVersion: z.literal(FORMAT_VERSION),
  portalId: z.number().int().positive(),
  capturedAt: z.string().min(1),
  tool: z.looseObject({name: z.literal('crmsync'), version: z.string()}),
  gzip: z.boolean(),
  objects: z.array(
    z.looseObject({
      name: z.string().regex(/^[a-z][a-z0-9_]*$/),
      objectTypeId: z.string().regex(/^\d+-\d+$/),
      fullyQualifiedName: z.string().optional(),
      file: fileName,
      count: z.number().int().nonnegative(),
      archivedCount: z.number().int().nonnegative(),
      properties: z.array(propertySchema),
      schema: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  associations: z.looseObject({file: fileName, count: z.number().int().nonnegative()}),
  associationTypes: z.array(
    z.looseObject({
      fromType: z.string(),
      toType: z.string(),
      category: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']),
      typeId: z.number().int(),
      label: z.string().nullable(),
      inverseTypeId: z.number().int(),
    }),
  ),
})

/** Loads and validates `<dir>/manifest.json`, checking that every data file it names exists. */
export async function loadManifest(dir: string): Promise<PortalManifest> {
  if (!existsSync(dir)) throw new UsageError(`Portal folder ${dir} does not exist.`, `Check the path, or create a snapshot there: ${FIX}`, 'PORTAL_MISSING')
  if (!statSync(dir).isDirectory()) throw new UsageError(`Portal path ${dir} is not a folder.`, 'Pass the snapshot folder (the one that contains manifest.json).', 'PORTAL_NOT_FOLDER')
  const path = join(dir, MANIFEST_FILE)
  if (!existsSync(path)) throw new UsageError(`${path} is missing: ${dir} is not a complete portal snapshot.`, `Pass the snapshot folder that contains manifest.json. ${FIX}`, 'PORTAL_NO_MANIFEST')
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON (${(err as Error).message}).`, `The snapshot is corrupt. ${FIX}`, 'PORTAL_CORRUPT')
  }
  const version = (raw as {formatVersion?: unknown} | null)?.formatVersion
  if (raw !== null && typeof raw === 'object' && version !== FORMAT_VERSION) {
    throw new UsageError(
      `${path} has formatVersion ${JSON.stringify(version)}, but this crmsync reads formatVersion ${FORMAT_VERSION} only.`,
      `Use the crmsync version that wrote it, or re-create the snapshot with this version. ${FIX}`,
      'PORTAL_VERSION',
    )
  }
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UsageError(`${path} is not a valid portal manifest: ${issue.path.join('.') || '(root)'}: ${issue.message}.`, `The snapshot is corrupt. ${FIX}`, 'PORTAL_CORRUPT')
  }
  const manifest = parsed.data as unknown as PortalManifest
  const names = new Set<string>()
  for (const o of manifest.objects) {
    if (names.has(o.name)) throw new UsageError(`${path} lists object type ${o.name} twice.`, `The snapshot is corrupt. ${FIX}`, 'PORTAL_CORRUPT')
    names.add(o.name)
  }
  for (const f of [...manifest.objects.map((o) => o.file), manifest.associations.file]) {
    if (!existsSync(join(dir, f))) throw new UsageError(`${join(dir, f)} is missing although ${MANIFEST_FILE} lists it.`, `The snapshot is incomplete. ${FIX}`, 'PORTAL_INCOMPLETE')
  }
  return manifest
}
