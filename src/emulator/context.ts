/** Shared state every handler works on: the store, the clock, statistics and the configured limits. */
import type {EmulatorStore} from './store.js'
import type {EmulatorStats, EndpointKind} from './types.js'

export interface EmulatorContext {
  store: EmulatorStore
  now: () => number
  stats: EmulatorStats
  /** associations per record per v4 page */
  associationPageSize: number
  /** search index lag in ms (0: search sees every change at once) */
  indexLagMs: number
}

export function emptyStats(): EmulatorStats {
  const byEndpoint: Record<EndpointKind, number> = {list: 0, get: 0, search: 0, batchRead: 0, associations: 0, labels: 0, schemas: 0, properties: 0, owners: 0, pipelines: 0, other: 0}
  return {
    requests: 0,
    byEndpoint,
    rateLimited: {TEN_SECONDLY_ROLLING: 0, SECONDLY: 0, DAILY: 0},
    unauthorized: 0,
    forbidden: 0,
    faults: {burst429: 0, serverErrors: 0, resets: 0, slow: 0, malformed: 0},
    mutations: 0,
  }
}
