/** A fake object API for the lane tests: a fixed id list, list pages upwards, search by descending id, each lane at its own speed. */
import type {ObjectStreamDef, RawPage} from '../../src/core/connector.js'
import {compareIds} from '../../src/core/ids.js'
import {emptyStats} from '../../src/core/http-types.js'

export const LANE_IDS = Array.from({length: 257}, (_, i) => String(1000 + i * 7))
const item = (id: string) => ({id, properties: {lastmodifieddate: '2026-01-01T00:00:00.000Z'}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', archived: false})
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function laneDef(listMs: number, searchMs: number, calls: {list: number; search: number}, ids: readonly string[] = LANE_IDS): ObjectStreamDef {
  return {
    kind: 'object',
    name: 'contacts',
    entity: 'contacts',
    primaryKey: 'id',
    replicationKey: 'lastmodifieddate',
    properties: ['lastmodifieddate'],
    describe: async () => [],
    toRecord: (raw) => ({id: (raw as {id: string}).id, properties: {}, createdAt: '', updatedAt: '2026-01-01T00:00:00.000Z', archived: false}) as never,
    keyOf: (raw) => ({ts: 1, id: (raw as {id: string}).id}),
    compareIds,
    mergedIds: () => [],
    maxListPage: 10,
    maxSearchPage: 20,
    stats: emptyStats(),
    api: {
      async listPage({after, limit}): Promise<RawPage> {
        calls.list++
        await sleep(listMs)
        const start = after === null ? 0 : ids.indexOf(after)
        const page = ids.slice(start, start + limit)
        const nextId = ids[start + limit]
        return {results: page.map(item), after: nextId ?? null}
      },
      async searchPage(): Promise<RawPage> {
        throw new Error('not used')
      },
      async idRangePage({above, below, limit}): Promise<RawPage> {
        calls.search++
        await sleep(searchMs)
        const hits = ids.filter((id) => (above === null || compareIds(id, above) > 0) && (below === null || compareIds(id, below) < 0)).reverse()
        return {results: hits.slice(0, limit).map(item), after: null}
      },
    },
  }
}
