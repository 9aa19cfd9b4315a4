/**
 * The one-publisher lock of a target, taken before anything is written: at once, or (`--lock-wait`,
 * `sync all --publish-wait`) retried until it is free or the wait is over. Several hosts that
 * each run `sync all --publish-to` into one target then publish one after the other instead of
 * all but one failing; the one that waited reads the store's change sequence only once it holds
 * the lock, so it publishes whatever the one before it did not cover.
 */
import {CrmsyncError, EXIT} from '../../core/errors.js'
import type {PublishProgress} from './progress.js'
import type {PublishTarget} from './target.js'

/** How often a waiting publisher tries the lock again. */
export const LOCK_RETRY_MS = 250

const WAIT_STEP = 'wait for the publish lock'

/** Take `target`'s lock, waiting up to `waitMs` (0: not at all; the wait is a step of the display); throws PUBLISH_LOCKED when another publisher keeps it. */
export async function takePublishLock(target: PublishTarget, waitMs: number, progress?: PublishProgress): Promise<void> {
  const deadline = Date.now() + waitMs
  let held = await target.tryLock()
  if (held && waitMs > 0) progress?.begin(WAIT_STEP, () => 0, null)
  while (held && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, Math.min(LOCK_RETRY_MS, Math.max(1, deadline - Date.now()))))
    held = await target.tryLock()
  }
  progress?.end(WAIT_STEP, held !== null)
  if (!held) return
  const who = held.who ? ` (${held.who})` : ''
  const waited = waitMs > 0 ? `, and it still did after waiting ${seconds(waitMs)}` : ''
  throw new CrmsyncError(`another crmsync publish into ${target.describe} is running${who}${waited}: two publishers to one target cannot run at once`, {
    exit: EXIT.failure,
    code: 'PUBLISH_LOCKED',
    suggestion: `${waitMs > 0 ? 'wait longer' : 'wait for it to finish'} (--lock-wait 5m on publish, --publish-wait 5m on sync all) and rerun: a publish that waits publishes whatever the other did not cover; ${held.stale}`,
  })
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
}
