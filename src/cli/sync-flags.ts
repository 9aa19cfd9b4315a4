import {Flags} from '@oclif/core'
import {connectionFlags} from './connection-flags.js'
import {storeFlags} from './store-flags.js'

/** Flags shared by every `crmsync sync <entity>` command: spread them into a command's `flags`. */
export const syncFlags = {
  crm: Flags.string({summary: 'the CRM connector to sync from', default: 'hubspot', env: 'CRMSYNC_CRM', hidden: true, helpValue: 'NAME'}),
  ...connectionFlags,
  ...storeFlags,
  full: Flags.boolean({summary: 'full sync through the list endpoints instead of an incremental one', default: false}),
  since: Flags.string({summary: 'resync changes since this time, overriding the stored cursor', description: 'YYYY-MM-DD (UTC midnight) or an ISO 8601 time', helpValue: 'DATE'}),
  'batch-size': Flags.integer({summary: 'records per request and per transaction (1..100; associations 1..1000)', helpValue: 'N'}),
  'dry-run': Flags.boolean({summary: 'fetch, validate and count, but leave the store file untouched', default: false}),
  debug: Flags.boolean({summary: 'structured logs (pino JSON lines) on stderr; the token is never logged', default: false}),
  objects: Flags.string({summary: 'JSON/YAML file adding custom objects: {"objects": [{"entity", "objectType", "properties"}]}', env: 'CRMSYNC_OBJECTS', helpValue: 'FILE'}),
  'rate-limit': Flags.string({summary: "the portal's request budget, e.g. 190/10s; none disables client-side pacing (emulator only)", description: 'Default: 100/10s (HubSpot free/starter), adjusted by the X-HubSpot-RateLimit-* headers the portal sends', env: 'CRMSYNC_RATE_LIMIT', helpValue: 'N/10s'}),
  'shared-budget': Flags.string({summary: 'share the rate budget with other crmsync processes of this portal through Redis', description: 'Every process given the same Redis and portal (base URL and token) draws from one budget, so together they stay within the portal limit. The Redis key is a hash: the token is never stored.', env: 'CRMSYNC_REDIS_URL', helpValue: 'redis://HOST:PORT'}),
  every: Flags.string({summary: 'service mode: run forever, one run per interval (e.g. 5m, 30s, 1h), never two at once; SIGTERM stops at a page boundary with exit 0', helpValue: 'DURATION'}),
  listen: Flags.string({summary: 'with --every: serve GET /healthz and /metrics (Prometheus text format) on HOST:PORT', helpValue: 'HOST:PORT', dependsOn: ['every']}),
  lookback: Flags.integer({summary: 'minutes re-read before the cursor to catch late-indexed records', default: 5, helpValue: 'MINUTES'}),
}
