/** `crmsync sync ...` with the HubSpot connector: the one function the sync commands call. */
import {runSync, type SyncSummary} from '../core/sync-runner.js'
import type {SyncRequest} from '../core/sync-request.js'
import {getConnector} from './index.js'
import {ENTITIES} from './hubspot/objects.js'

export type {SyncSummary}

/** Run a sync of `req.target` against HubSpot (or the emulator at --base-url). */
export function runHubSpotSync(req: SyncRequest): Promise<SyncSummary> {
  return runSync(getConnector('hubspot')!, req, ENTITIES)
}
