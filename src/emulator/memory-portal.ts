/**
 * An in-memory PortalSource for unit tests: small portals built from arrays (large portals come
 * from `crmsync portal generate` and are read from disk).
 */
import type {ObjectTypeManifest, PortalManifest} from '../portal/types.js'
import type {AssociationRow, AssociationTypeDef, CrmRecord} from '../core/records.js'
import type {PortalSource} from './types.js'

export interface MemoryPortalInput {
  portalId?: number
  objects: Array<Omit<ObjectTypeManifest, 'file' | 'count' | 'archivedCount'> & {records: CrmRecord[]}>
  associations?: AssociationRow[]
  associationTypes?: AssociationTypeDef[]
}

/** Wraps arrays as a PortalSource (records are yielded in the order given). */
export function memoryPortal(input: MemoryPortalInput): PortalSource {
  const manifest: PortalManifest = {
    formatVersion: 1,
    portalId: input.portalId ?? 1,
    capturedAt: new Date(0).toISOString(),
    tool: {name: 'crmsync', version: '0.0.0'},
    gzip: false,
    objects: input.objects.map(({records, ...o}) => ({...o, file: `${o.name}.ndjson`, count: records.length, archivedCount: records.filter((r) => r.archived).length})),
    associations: {file: 'associations.ndjson', count: input.associations?.length ?? 0},
    associationTypes: input.associationTypes ?? [],
  }
  return {
    manifest,
    async *records(entity: string) {
      yield* input.objects.find((o) => o.name === entity)?.records ?? []
    },
    async *associations() {
      yield* input.associations ?? []
    },
  }
}
