import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {CrmRecord, PropertyDefinition} from '../../src/core/records.js'

/** A fresh temp folder for one test file. */
export function tmpDir(prefix = 'crmsync-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A property definition of the given type. */
export function prop(name: string, type: PropertyDefinition['type'] = 'string'): PropertyDefinition {
  return {name, label: name, type, fieldType: 'text'}
}

/** A HubSpot-shaped record. */
export function rec(id: string, properties: Record<string, string | null>, extra: Partial<CrmRecord> = {}): CrmRecord {
  return {id, properties, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z', archived: false, ...extra}
}
