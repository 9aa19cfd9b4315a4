/**
 * Several processes, one store: each stream runs under a claim of the store (`claimStream`), so
 * `crmsync sync all` started by several processes spreads the streams over them and never runs one
 * twice at once. A process first takes the streams nobody holds, then waits for the ones held by
 * others: when a holder finishes, the stream is skipped (done elsewhere); when it died, its claim
 * is released and the waiter resumes the stream from its checkpoint. A store without claims runs
 * every stream itself.
 */
import type {StreamDef} from './connector.js'
import {runInLanes} from './lanes.js'
import type {SyncStore} from './store-port.js'

type Log = (event: string, fields: Record<string, unknown>) => void

/** Run `def` under a claim; false when another process holds it and `wait` is false. */
export async function runUnderClaim(store: SyncStore, def: StreamDef, wait: boolean, run: (def: StreamDef) => Promise<void>, log: Log, signal?: AbortSignal): Promise<boolean> {
  if (!store.claimStream) {
    await run(def)
    return true
  }
  const claim = await store.claimStream(def.name, {wait, signal})
  if (!claim) {
    log('stream claimed by another process', {stream: def.name})
    return false
  }
  let completed = false
  try {
    if (claim.doneElsewhere) log('stream done by another process', {stream: def.name})
    else {
      await run(def)
      completed = true
    }
  } finally {
    await claim.release(completed)
  }
  return true
}

/**
 * The object streams, `lanes` at a time, each under a claim; the ones other processes hold are
 * waited for at the end, and while their holder reads a full phase with two lanes this process
 * first takes their search lane over with `join` (src/core/shared-lanes.ts).
 */
export async function runObjectStreams(
  store: SyncStore,
  defs: readonly StreamDef[],
  lanes: number,
  run: (def: StreamDef) => Promise<void>,
  log: Log,
  signal?: AbortSignal,
  join?: (def: StreamDef) => Promise<void>,
): Promise<void> {
  const held: StreamDef[] = []
  await runInLanes(defs, lanes, async (def) => {
    if (!(await runUnderClaim(store, def, false, run, log, signal))) held.push(def)
  })
  await runInLanes(held, lanes, async (def) => {
    await join?.(def)
    await runUnderClaim(store, def, true, run, log, signal)
  })
}
