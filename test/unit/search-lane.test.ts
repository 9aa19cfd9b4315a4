/**
 * The two-lane full phase (src/core/search-lane.ts) on a fake object API whose lanes answer at
 * chosen speeds: whichever lane reaches the other first, every live id comes out exactly once,
 * the phase ends in `full-archived`, and a run resumed from any page's checkpoint (with either
 * lane mode) completes the same set without reading an id twice.
 */
import {describe, expect, it} from 'vitest'
import type {ObjectStreamDef, RunOptions} from '../../src/core/connector.js'
import type {ObjectCheckpoint} from '../../src/core/checkpoint.js'
import {compareIds} from '../../src/core/ids.js'
import {twoLanePages} from '../../src/core/search-lane.js'
import type {ObjectPage} from '../../src/core/object-page.js'
import {LANE_IDS as IDS, laneDef as def} from './lane-fixture.js'

const opts = (lanes: 'list' | 'list+search'): RunOptions => ({full: true, since: null, batchSize: null, lookbackMs: 0, tmpDir: '/tmp', lanes})
const start: ObjectCheckpoint = {v: 1, phase: 'full', after: null, key: null, maxTs: null, startTs: null, cursorTs: null, pages: 0}

async function collect(d: ObjectStreamDef, from: ObjectCheckpoint, lanes: 'list' | 'list+search', stopAfter = Infinity): Promise<{ids: string[]; pages: ObjectPage[]}> {
  const ids: string[] = []
  const pages: ObjectPage[] = []
  for await (const p of twoLanePages(d, from, opts(lanes))) {
    ids.push(...p.records.map((r) => r.id))
    pages.push(p)
    if (pages.length >= stopAfter) break
  }
  return {ids, pages}
}

describe('two-lane full phase', () => {
  for (const [name, listMs, searchMs] of [
    ['search slower: the list lane reaches the search lane', 1, 12],
    ['list slower: the search lane reaches the list lane', 12, 1],
    ['both alike', 3, 3],
  ] as const) {
    it(`${name}: every id once, both lanes used, ends in full-archived`, async () => {
      const calls = {list: 0, search: 0}
      const {ids, pages} = await collect(def(listMs, searchMs, calls), start, 'list+search')
      expect([...ids].sort(compareIds)).toEqual(IDS)
      expect(new Set(ids).size).toBe(IDS.length)
      expect(pages.some((p) => p.lane === 'list')).toBe(true)
      expect(pages.some((p) => p.lane === 'search')).toBe(true)
      expect((pages.at(-1)!.checkpoint as unknown as ObjectCheckpoint).phase).toBe('full-archived')
      expect((pages.at(-1)!.checkpoint as unknown as ObjectCheckpoint).lanes).toBeUndefined()
    })
  }

  it('resumes from every page of an interrupted run, in either lane mode, reading no id twice', async () => {
    const calls = {list: 0, search: 0}
    const full = await collect(def(2, 5, calls), start, 'list+search')
    for (let k = 1; k < full.pages.length; k++) {
      const first = await collect(def(2, 5, calls), start, 'list+search', k)
      const cp = first.pages.at(-1)!.checkpoint as unknown as ObjectCheckpoint
      for (const lanes of ['list+search', 'list'] as const) {
        const rest = cp.phase === 'full' ? (await collect(def(2, 5, calls), JSON.parse(JSON.stringify(cp)) as ObjectCheckpoint, lanes)).ids : []
        const all = [...first.ids, ...rest]
        expect(new Set(all).size, `resumed after page ${k} with --lanes ${lanes}`).toBe(all.length)
        expect([...all].sort(compareIds)).toEqual(IDS)
      }
    }
  })
})
