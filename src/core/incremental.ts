/**
 * The incremental logic, once for every connector: a full run pages the list endpoint (then the
 * archived list, kept as tombstones); an incremental run pages search by the compound
 * (modified, id) keyset from cursor - look-back, then sweeps the archived list. Every page carries
 * the checkpoint that covers it. See docs/cursor-design.md.
 */
import type {Checkpoint} from './store-port.js'
import {begin, next, parseCheckpoint, type ObjectCheckpoint} from './checkpoint.js'
import type {ObjectStreamDef, RunOptions} from './connector.js'
import {pageSize, processPage, type ObjectPage} from './object-page.js'
import {twoLanePages, usesLanes} from './search-lane.js'
import type {LaneShare} from './shared-lanes.js'

/** Pages of one object stream from its stored checkpoint to `done` (`share`: its full phase's lanes may be split with other processes, src/core/shared-lanes.ts). */
export async function* objectPages(def: ObjectStreamDef, stored: Checkpoint | null, opts: RunOptions, share?: LaneShare): AsyncGenerator<ObjectPage> {
  let cp: ObjectCheckpoint = begin(parseCheckpoint(stored), opts)
  if (usesLanes(def, cp, opts)) {
    for await (const page of twoLanePages(def, cp, opts, share)) {
      cp = page.checkpoint as unknown as ObjectCheckpoint
      yield page
    }
  }
  while (cp.phase !== 'done') {
    const phase = cp.phase
    const limit = pageSize(def, phase, opts.batchSize)
    const raw =
      phase === 'search'
        ? await def.api.searchPage({from: cp.key ?? {ts: 0, id: null}, limit, properties: def.properties}, opts.signal)
        : await def.api.listPage({after: cp.after, limit, archived: phase !== 'full', properties: def.properties}, opts.signal)
    const {records, deadLetters, merges, facts} = processPage(def, raw, limit)
    cp = next(cp, facts, def.compareIds)
    yield {phase, records, merges, deadLetters, fetched: raw.results.length, checkpoint: cp as unknown as Checkpoint}
  }
}
