/** Write a SyntheticSource as a real portal snapshot folder (src/portal/snapshot.ts), for tests and the demo. */
import {OBJECTS} from '../connectors/hubspot/objects.js'
import {createPortalWriter} from '../portal/snapshot.js'
import type {PortalManifest} from '../portal/types.js'
import type {PropertyDefinition} from '../core/records.js'
import type {SyntheticSource} from './synthetic-source.js'

const ORDER = ['contacts', 'deals', 'appointments', 'divisions']

/** Property definitions (all strings but dates) of a synthetic entity, from one sample record. */
export function syntheticProperties(src: SyntheticSource, entity: string): PropertyDefinition[] {
  return Object.keys(src.record(entity, 0).properties).map((name) => {
    const type = /date|_start|_end/.test(name) ? 'datetime' : 'string'
    return {name, label: name, type, fieldType: type === 'datetime' ? 'date' : 'text'}
  })
}

/** Write `src` into `dir` (which must not exist yet, unless overwrite). */
export async function writeSyntheticPortal(src: SyntheticSource, dir: string, capturedAt: string, overwrite = false): Promise<PortalManifest> {
  const w = await createPortalWriter(dir, {portalId: 4242, capturedAt, overwrite, source: {kind: 'fixture'}})
  try {
    for (const entity of ORDER) {
      const def = OBJECTS[entity]
      w.addObjectType({name: entity, objectTypeId: def.objectTypeId ?? '2-4242', ...(def.custom ? {fullyQualifiedName: 'p4242_divisions'} : {}), properties: syntheticProperties(src, entity)})
      for await (const r of src.records(entity)) await w.writeRecord(entity, r)
    }
    for await (const a of src.associations()) await w.writeAssociation(a)
    return await w.finish()
  } catch (e) {
    await w.abort()
    throw e
  }
}
