/**
 * Portal snapshot format (docs/portal-format.md): a folder with manifest.json, one NDJSON file
 * per object type and one of associations. This module is the public entry point.
 */
export {openPortal, type ArchivedFilter, type PortalReader} from './snapshot-reader.js'
export {createPortalWriter, type ObjectTypeInput, type PortalWriter, type PortalWriterOptions} from './snapshot-writer.js'
export {compareIds} from '../core/ids.js'
export {compareAssociationRows, isCanonicalPair, isValidId, FORMAT_VERSION, MANIFEST_FILE} from './snapshot-format.js'
