/** Helpers for engine tests: an object stream over a FakeObjectApi and a real SQLite store in a temp folder. */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {ObjectStreamDef, RunOptions} from '../../src/core/connector.js'
import {type ApiClient, emptyStats} from '../../src/core/http-types.js'
import {mergedObjectIds, recordKey, toHubSpotRecord} from '../../src/connectors/hubspot/records.js'
import {compareIds} from '../../src/core/ids.js'
import {openStore} from '../../src/store/open.js'
import type {FakeObjectApi} from './fake-object-api.js'

export function fakeStream(api: FakeObjectApi, name = 'things'): ObjectStreamDef {
  return {
    kind: 'object',
    name,
    entity: name,
    primaryKey: 'id',
    replicationKey: api.modifiedProperty,
    properties: ['name', api.modifiedProperty, 'hs_merged_object_ids'],
    describe: async () => [
      {name: 'name', label: 'Name', type: 'string', fieldType: 'text'},
      {name: api.modifiedProperty, label: 'Modified', type: 'datetime', fieldType: 'date'},
    ],
    toRecord: toHubSpotRecord,
    keyOf: (raw) => recordKey(raw, api.modifiedProperty),
    compareIds,
    mergedIds: mergedObjectIds,
    maxListPage: 100,
    maxSearchPage: 200,
    api,
    stats: emptyStats(),
  }
}

export const nullClient: ApiClient = {
  stats: {requests: 0, retries: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0},
  async request() {
    throw new Error('not used')
  },
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'crmsync-engine-')), 'store.db')
}

export function options(over: Partial<RunOptions> = {}): RunOptions {
  return {full: false, since: null, batchSize: null, lookbackMs: 0, tmpDir: join(tmpdir(), 'crmsync-test'), ...over}
}

/** Every row of an entity table as plain objects, ordered by id (a comparable picture of the store). */
export function dump(dbPath: string, entity: string): Array<Record<string, unknown>> {
  const store = openStore(dbPath, {readonly: true})
  try {
    const t = store.table(entity)
    if (!t) return []
    return store.db.prepare(`SELECT id, archived, merged_into, properties FROM "${t.table}" ORDER BY length(id), id`).all() as Array<Record<string, unknown>>
  } finally {
    store.close()
  }
}
