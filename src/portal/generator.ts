/**
 * The synthetic portal generator: a deterministic, streamed portal snapshot with realistic
 * values and every awkward case real HubSpot portals have (docs/portal-format.md).
 */
import {CrmsyncError} from '../core/errors.js'
import {ENTITIES, OBJECTS, type Entity} from '../connectors/hubspot/objects.js'
import {CANONICAL_TYPES, defaultAssociationTypes} from './association-types.js'
import {generateAssociations} from './generate/associations.js'
import {EXTRA_OBJECTS, extraRecord} from './generate/extra-objects.js'
import {resolveGenerateOptions, type GenerateOptions} from './generate/options.js'
import {STANDARD_PROPERTIES, customProperties, divisionsSchema} from './generate/properties.js'
import {RecordFactory} from './generate/records.js'
import {NOW_MS, START_MS, World} from './generate/world.js'
import {createPortalWriter} from './snapshot.js'
import type {PortalManifest} from './types.js'
import type {PropertyDefinition} from '../core/records.js'

export type {GenerateOptions} from './generate/options.js'

export interface GenerateProgress {
  entity: Entity | 'associations'
  written: number
}

/** Optional hooks: progress every 100,000 lines, and a signal that stops the run and removes its temp folder. */
export interface GenerateHooks {
  onProgress?: (p: GenerateProgress) => void
  signal?: AbortSignal
}

const CHECK_EVERY = 4096

const TYPE_IDS: Record<Exclude<Entity, 'divisions'>, string> = {contacts: '0-1', deals: '0-3', appointments: '0-421'}

/**
 * Generates a portal snapshot into `opts.out` (written to a temp folder, renamed on success) and
 * returns its manifest. Same options → byte-identical files. Memory stays bounded at any size.
 * Throws UsageError (exit 2) for bad options or an --out folder that is not empty (without force).
 */
export async function generatePortal(opts: GenerateOptions, hooks: GenerateHooks = {}): Promise<PortalManifest> {
  const {onProgress, signal} = hooks
  const o = resolveGenerateOptions(opts)
  const world = new World(o)
  const custom = customProperties(o.customProperties)
  const props = Object.fromEntries(ENTITIES.map((e) => [e, [...STANDARD_PROPERTIES[e], ...custom]])) as Record<Entity, PropertyDefinition[]>
  const factory = new RecordFactory(world, custom, props)
  const capturedAt = new Date(NOW_MS).toISOString()
  const writer = await createPortalWriter(o.out, {portalId: o.portalId, gzip: o.gzip, overwrite: o.force, capturedAt, source: {kind: 'generate', seed: o.seed}})
  try {
    for (const e of ENTITIES) {
      if (OBJECTS[e].custom) {
        const objectTypeId = world.divisionsObjectTypeId
        const assoc = Object.values(CANONICAL_TYPES)
          .filter((t) => t.label === null && (t.fromType === e || t.toType === e))
          .map((t) => {
            const other = (t.fromType === e ? t.toType : t.fromType) as Exclude<Entity, 'divisions'>
            return {id: String(t.fromType === e ? t.typeId : t.inverseTypeId), toObjectTypeId: TYPE_IDS[other], name: `divisions_to_${other}`}
          })
        const schema = divisionsSchema({portalId: o.portalId, objectTypeId, properties: props[e], createdAt: new Date(START_MS).toISOString(), associatedTypeIds: assoc})
        writer.addObjectType({name: e, objectTypeId, fullyQualifiedName: `p${o.portalId}_${e}`, properties: props[e], schema})
      } else {
        writer.addObjectType({name: e, objectTypeId: TYPE_IDS[e as Exclude<Entity, 'divisions'>], properties: props[e]})
      }
    }
    const extras = EXTRA_OBJECTS.map((x) => ({x, n: x.name === 'companies' ? o.companies : o.tickets})).filter((e) => e.n > 0)
    for (const {x} of extras) writer.addObjectType({name: x.name, objectTypeId: x.objectTypeId, properties: x.properties})
    writer.setAssociationTypes(defaultAssociationTypes())
    for (const e of ENTITIES) {
      const n = world.counts[e]
      for (let i = 0; i < n; i++) {
        await writer.writeRecord(e, factory.build(e, i))
        if ((i + 1) % CHECK_EVERY === 0) checkAborted(signal)
        if (onProgress && (i + 1) % 100_000 === 0) onProgress({entity: e, written: i + 1})
      }
    }
    for (const {x, n} of extras) {
      for (let i = 0; i < n; i++) {
        await writer.writeRecord(x.name, extraRecord(x, o.seed, i))
        if ((i + 1) % CHECK_EVERY === 0) checkAborted(signal)
      }
    }
    let rows = 0
    for (const row of generateAssociations(world)) {
      await writer.writeAssociation(row)
      if (++rows % CHECK_EVERY === 0) checkAborted(signal)
      if (onProgress && rows % 100_000 === 0) onProgress({entity: 'associations', written: rows})
    }
    checkAborted(signal)
    return await writer.finish()
  } catch (err) {
    await writer.abort()
    throw err
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CrmsyncError('Generation was interrupted; nothing was written (the temporary folder was removed).', {code: 'INTERRUPTED', suggestion: 'Run the command again.'})
}
