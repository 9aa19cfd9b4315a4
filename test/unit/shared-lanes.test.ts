/**
 * A two-lane full phase split over two "processes" (src/core/shared-lanes.ts) on a fake store with
 * claims: the holder's list lane (`twoLanePages` with a lane share) and a taker's search lane
 * (`joinSearchLane` + `searchLanePages`), each committing its pages to its own checkpoint row.
 * Whoever stops, at whichever page, a resumed holder (and the taker, when it lives) leave every
 * id written; the list lane never stops at a search mark of another phase.
 */
import {describe, expect, it} from 'vitest'
import type {ObjectStreamDef, RunOptions} from '../../src/core/connector.js'
import {parseCheckpoint, type ObjectCheckpoint} from '../../src/core/checkpoint.js'
import {compareIds} from '../../src/core/ids.js'
import {twoLanePages} from '../../src/core/search-lane.js'
import {joinSearchLane, parseSearchMark, searchLaneName, searchLanePages, storeLaneShare, type SearchMark} from '../../src/core/shared-lanes.js'
import type {Checkpoint, StreamClaim, SyncStore} from '../../src/core/store-port.js'
import {LANE_IDS as IDS, laneDef} from './lane-fixture.js'

const opts: RunOptions = {full: true, since: null, batchSize: null, lookbackMs: 0, tmpDir: '.', lanes: 'list+search'}
const start: ObjectCheckpoint = {v: 1, phase: 'full', after: null, key: null, maxTs: null, startTs: null, cursorTs: null, pages: 0}

/** One store shared by the "processes": checkpoint rows, the ids written, and advisory-lock-like claims with waiters. */
class FakeSharedStore {
  readonly checkpoints = new Map<string, string>()
  readonly written: string[] = []
  private readonly held = new Set<string>()
  private readonly waiters = new Map<string, Array<() => void>>()

  /** the view of one process: a SyncStore with claims (only what the lanes use) */
  view(): SyncStore {
    return {
      getCheckpoint: (stream: string) => {
        const v = this.checkpoints.get(stream)
        return v === undefined ? null : (JSON.parse(v) as Checkpoint)
      },
      claimStream: async (name: string, o: {wait: boolean}) => {
        if (this.held.has(name)) {
          if (!o.wait) return null
          await new Promise<void>((granted) => this.waiters.set(name, [...(this.waiters.get(name) ?? []), granted]))
        }
        this.held.add(name)
        return this.claim(name)
      },
    } as unknown as SyncStore
  }

  private claim(name: string): StreamClaim {
    let released = false
    return {
      doneElsewhere: false,
      contended: () => (this.waiters.get(name)?.length ?? 0) > 0,
      release: () => {
        if (released) return
        released = true
        const next = this.waiters.get(name)?.shift()
        if (next)
          next() // handed straight to the first waiter, as the server does
        else this.held.delete(name)
      },
    }
  }

  commit(stream: string, ids: string[], checkpoint: Checkpoint): void {
    this.written.push(...ids)
    this.checkpoints.set(stream, JSON.stringify(checkpoint))
  }

  holder(): ObjectCheckpoint | null {
    return parseCheckpoint(this.view().getCheckpoint('contacts'))
  }
}

/** The holder's list lane (and its search lane while it has the claim), committing each page; stops after `stopAfter` pages (a kill). */
async function holder(store: FakeSharedStore, def: ObjectStreamDef, stopAfter = Infinity): Promise<{pages: number; lanes: string[]}> {
  const view = store.view()
  const claim = (await view.claimStream!(def.name, {wait: true}))! // the stream's own claim, as runUnderClaim takes it
  const share = storeLaneShare(view, def.name)!
  const from = store.holder() ?? start
  const lanes: string[] = []
  try {
    for await (const p of twoLanePages(def, from, opts, share)) {
      store.commit(
        def.name,
        p.records.map((r) => r.id),
        p.checkpoint,
      )
      lanes.push(p.lane!)
      if (lanes.length >= stopAfter) break
    }
  } finally {
    await claim.release(false)
  }
  return {pages: lanes.length, lanes}
}

/** A taker: waits for the holder's phase, takes the search-lane claim, writes its own row; stops after `stopAfter` pages. */
async function taker(store: FakeSharedStore, def: ObjectStreamDef, stopAfter = Infinity): Promise<number> {
  let pages = 0
  await joinSearchLane(
    store.view(),
    def,
    opts,
    async (d) => {
      const reads = {holder: async () => store.holder(), own: async () => parseSearchMark(store.view().getCheckpoint(searchLaneName(d.name)))}
      for await (const p of searchLanePages(d, reads, opts)) {
        store.commit(
          searchLaneName(d.name),
          p.records.map((r) => r.id),
          p.checkpoint,
        )
        if (++pages >= stopAfter) break
      }
    },
    () => undefined,
  )
  return pages
}

/** resolves once the holder has committed its first page (a taker that comes later waits for that itself, JOIN_POLL_MS at a time) */
async function firstPage(store: FakeSharedStore): Promise<void> {
  while (!store.holder()?.lanes?.id) await new Promise((r) => setTimeout(r, 1))
}

/** A view of `store` that counts its checkpoint reads (each poll of a waiting taker reads one). */
function countingReads(store: FakeSharedStore): {view: SyncStore; counted: SyncStore; reads: () => number} {
  let n = 0
  const view = store.view()
  return {view, counted: {...view, getCheckpoint: (s: string) => (n++, view.getCheckpoint(s))} as SyncStore, reads: () => n}
}

const sorted = (ids: string[]) => [...new Set(ids)].sort(compareIds)

describe('a full phase split over two processes', () => {
  it('the holder hands its search lane over; both write pages of the phase, every id is written, the list lane ends it', async () => {
    const store = new FakeSharedStore()
    const calls = {list: 0, search: 0}
    const def = laneDef(15, 15, calls)
    const h0 = holder(store, def)
    await firstPage(store)
    const [h, t] = await Promise.all([h0, taker(store, def)])
    expect(sorted(store.written)).toEqual(IDS)
    expect(t).toBeGreaterThan(0) // the taker wrote pages of the same stream
    expect(h.lanes.filter((l) => l === 'list').length).toBeGreaterThan(0)
    expect(store.holder()!.phase).toBe('full-archived')
    // overlap near the meeting point only: at most one page of each lane read twice
    expect(store.written.length - IDS.length).toBeLessThanOrEqual(def.maxListPage + def.maxSearchPage)
    const mark = parseSearchMark(JSON.parse(store.checkpoints.get('contacts#search')!)) as SearchMark
    expect(mark.searchLow).not.toBeNull()
  })

  it('a taker killed after any page: the holder goes on to its committed mark (or takes the lane back), every id written', async () => {
    const full = new FakeSharedStore()
    const h0 = holder(full, laneDef(10, 4, {list: 0, search: 0}))
    await firstPage(full)
    const t = await Promise.all([h0, taker(full, laneDef(10, 4, {list: 0, search: 0}))]).then(([, n]) => n)
    expect(t).toBeGreaterThan(2)
    for (let k = 1; k <= t; k++) {
      const store = new FakeSharedStore()
      const h = holder(store, laneDef(10, 4, {list: 0, search: 0}))
      await firstPage(store)
      await taker(store, laneDef(10, 4, {list: 0, search: 0}), k) // killed: its claim goes (released by the lane's finally, as by a dead connection)
      await h
      expect(sorted(store.written), `taker killed after its page ${k}`).toEqual(IDS)
      expect(store.holder()!.phase).toBe('full-archived')
    }
  })

  it('a holder killed after any page: the stream is resumed from its checkpoint while the taker goes on, every id written', async () => {
    // slow enough for the taker (polling every JOIN_POLL_MS) to come in while the phase runs
    const full = new FakeSharedStore()
    const {pages} = (await Promise.all([holder(full, laneDef(40, 40, {list: 0, search: 0})), taker(full, laneDef(40, 40, {list: 0, search: 0}))]))[0]
    let takerPages = 0
    for (let k = 1; k < pages; k++) {
      const store = new FakeSharedStore()
      const t = taker(store, laneDef(40, 40, {list: 0, search: 0})).then((n) => (takerPages += n))
      await holder(store, laneDef(40, 40, {list: 0, search: 0}), k)
      // (its search claim, when it still had it, went with it: the generator's finally releases it, as a dead connection does)
      if (store.holder()?.phase === 'full') await holder(store, laneDef(40, 40, {list: 0, search: 0}))
      await t
      expect(sorted(store.written), `holder killed after its page ${k}`).toEqual(IDS)
    }
    expect(takerPages).toBeGreaterThan(0) // the taker did take the lane over in these runs
  })

  it("a taker ignores its own row of another phase: it starts from this phase's marks", async () => {
    const store = new FakeSharedStore()
    store.checkpoints.set('contacts#search', JSON.stringify({v: 1, lane: 'search', id: 'an-earlier-phase', searchLow: IDS[3], met: false, pages: 9}))
    const h0 = holder(store, laneDef(10, 4, {list: 0, search: 0}))
    await firstPage(store)
    const [, t] = await Promise.all([h0, taker(store, laneDef(10, 4, {list: 0, search: 0}))])
    expect(t).toBeGreaterThan(0)
    expect(sorted(store.written)).toEqual(IDS)
  })

  it('no search lane to take: a holder in an incremental run, or one that moved from done to done, is not waited for', async () => {
    for (const [label, later] of [
      ['incremental', {...start, phase: 'search', key: {ts: 5, id: null}}],
      ['done to done', {...start, phase: 'done', cursorTs: 9}],
    ] as const) {
      const store = new FakeSharedStore()
      store.checkpoints.set('contacts', JSON.stringify({...start, phase: 'done', cursorTs: 5}))
      await store.view().claimStream!('contacts', {wait: false}) // the holder runs the stream
      const {counted, reads} = countingReads(store)
      setTimeout(() => store.checkpoints.set('contacts', JSON.stringify(later)), 50)
      let ran = false
      await joinSearchLane(
        counted,
        laneDef(1, 1, {list: 0, search: 0}),
        opts,
        async () => void (ran = true),
        () => undefined,
      )
      expect(ran, label).toBe(false)
      // it returned at the first poll after the change, not at the end of JOIN_WAIT_MS (25 polls)
      expect(reads(), label).toBeLessThanOrEqual(3)
    }
  })

  it('a stream whose holder has finished (its claim is free) is not waited for', async () => {
    const store = new FakeSharedStore()
    store.checkpoints.set('contacts', JSON.stringify({...start, phase: 'done', cursorTs: 5}))
    const {view, counted, reads} = countingReads(store)
    let ran = false
    await joinSearchLane(
      counted,
      laneDef(1, 1, {list: 0, search: 0}),
      opts,
      async () => void (ran = true),
      () => undefined,
    )
    expect(ran).toBe(false)
    expect(reads()).toBe(1) // returned at the first poll, not after JOIN_WAIT_MS
    expect(await view.claimStream!('contacts', {wait: false})).not.toBeNull() // and left the claim free for the caller
  })

  it('the list lane ignores a search mark committed for another phase', async () => {
    const store = new FakeSharedStore()
    // an earlier phase's taker wrote a low mark: taken for this phase, the list lane would stop at once
    store.checkpoints.set('contacts#search', JSON.stringify({v: 1, lane: 'search', id: 'an-earlier-phase', searchLow: IDS[3], met: false, pages: 9}))
    store.checkpoints.set('contacts', JSON.stringify({...start, lanes: {listHigh: null, searchLow: null, id: 'this-phase'}}))
    await store.view().claimStream!('contacts#search', {wait: false}) // another process holds the lane but has written nothing yet
    await holder(store, laneDef(1, 1, {list: 0, search: 0}))
    expect(sorted(store.written)).toEqual(IDS)
  })
})
