/** Recorder step 5: stream the work files into a portal snapshot (src/portal/snapshot.ts). */
import {createPortalWriter} from '../snapshot.js'
import type {PortalManifest} from '../types.js'
import type {AssociationRow, AssociationTypeDef, CrmRecord} from '../../core/records.js'
import {ASSOCIATIONS_FILE} from './crawl-associations.js'
import {listFile} from './crawl-records.js'
import {mergeById, readLines} from './id-stream.js'
import type {RecordState, WorkFolder} from './work-state.js'

export interface AssembleOptions {
  out: string
  gzip: boolean
  overwrite: boolean
  baseUrl: string
  redacted: string[]
  associationTypes: AssociationTypeDef[]
}

export async function assembleSnapshot(work: WorkFolder, state: RecordState, o: AssembleOptions): Promise<PortalManifest> {
  const writer = await createPortalWriter(o.out, {
    portalId: state.portalId,
    gzip: o.gzip,
    overwrite: o.overwrite,
    source: {kind: 'record', baseUrl: o.baseUrl, ...(o.redacted.length ? {redacted: o.redacted} : {})},
  })
  try {
    for (const ot of state.objectTypes) writer.addObjectType(ot)
    writer.setAssociationTypes(o.associationTypes)
    for (const ot of state.objectTypes) {
      for await (const {line} of mergeById(readLines(work.path(listFile(ot.name, false))), readLines(work.path(listFile(ot.name, true))))) {
        await writer.writeRecord(ot.name, JSON.parse(line) as CrmRecord)
      }
    }
    for await (const line of readLines(work.path(ASSOCIATIONS_FILE))) await writer.writeAssociation(JSON.parse(line) as AssociationRow)
    return await writer.finish()
  } catch (err) {
    await writer.abort()
    throw err
  }
}
