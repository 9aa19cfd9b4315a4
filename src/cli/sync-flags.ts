import {Flags} from '@oclif/core'
import {connectionFlags} from './connection-flags.js'
import {syncPublishFlags} from './publish-flags.js'
import {progressFlags} from './progress-flags.js'
import {storeFlags} from './store-flags.js'
import {DEFAULT_LANES_HELP} from '../core/sync-request.js'

/** Flags shared by every `crmsync sync <entity>` command: spread them into a command's `flags`. */
export const syncFlags = {
  crm: Flags.string({summary: 'the CRM connector to sync from', default: 'hubspot', env: 'CRMSYNC_CRM', hidden: true, helpValue: 'NAME'}),
  ...connectionFlags,
  ...storeFlags,
  full: Flags.boolean({summary: 'full sync through the list endpoints instead of an incremental one', default: false}),
  since: Flags.string({summary: 'resync changes since this time, overriding the stored cursor', description: 'YYYY-MM-DD (UTC midnight) or an ISO 8601 time', helpValue: 'DATE'}),
  'batch-size': Flags.integer({
    summary: 'records per request and per transaction (1..100; associations 1..1000)',
    defaultHelp: async () => 'the API maximum (100 list, 200 search, 1000 associations)',
    helpValue: 'N',
  }),
  'dry-run': Flags.boolean({summary: 'fetch, validate and count, but leave the store file untouched', default: false}),
  debug: Flags.boolean({summary: 'structured logs (pino JSON lines) on stderr; the token is never logged', default: false}),
  objects: Flags.string({summary: 'JSON/YAML file adding custom objects: {"objects": [{"entity", "objectType", "properties"}]}', env: 'CRMSYNC_OBJECTS', helpValue: 'FILE'}),
  'rate-limit': Flags.string({
    summary: "the portal's request budget, e.g. 190/10s; none disables client-side pacing (emulator only)",
    description: 'Without it crmsync starts at 100/10s (HubSpot free/starter) and adjusts to the X-HubSpot-RateLimit-* headers the portal sends.',
    defaultHelp: async () => "100/10s, then what the portal's headers say",
    env: 'CRMSYNC_RATE_LIMIT',
    helpValue: 'N/10s',
  }),
  'shared-budget': Flags.string({
    summary: 'share the rate budget with other crmsync processes of this portal through Redis',
    description:
      'Every process given the same Redis and portal (base URL and token) draws from one budget, so together they stay within the portal limit. The Redis key is a hash: the token is never stored.',
    env: 'CRMSYNC_REDIS_URL',
    helpValue: 'redis://HOST:PORT',
  }),
  wait: Flags.boolean({summary: 'when another sync holds the store, wait for it to finish instead of exiting 1', default: false}),
  'reconcile-associations': Flags.string({
    summary: "incremental runs also re-read the associations of a slice of the stored records: full, off, or a share of the run's requests",
    description:
      "Association changes do not change a record's modified time, so an incremental run cannot find them; each run re-checks the next slice (at least one batch), so every edge is re-checked within the number of runs `sync status` prints.",
    defaultHelp: async () => '10%',
    env: 'CRMSYNC_RECONCILE_ASSOCIATIONS',
    helpValue: 'full|off|N%',
  }),
  lanes: Flags.string({
    summary: 'how a full sync reads each object: list, or list+search (search reads from the other end of the id space, from its own rate-limit bucket)',
    description: 'Incremental runs and the archived sweep are not affected. See docs/sync.md, Lanes.',
    defaultHelp: async () => DEFAULT_LANES_HELP,
    env: 'CRMSYNC_LANES',
    helpValue: 'list|list+search',
  }),
  every: Flags.string({summary: 'service mode: run forever, one run per interval (e.g. 5m, 30s, 1h), never two at once; SIGTERM stops at a page boundary with exit 0', helpValue: 'DURATION'}),
  listen: Flags.string({summary: 'with --every: serve GET /healthz and /metrics (Prometheus text format) on HOST:PORT', helpValue: 'HOST:PORT', dependsOn: ['every']}),
  lookback: Flags.integer({summary: 'minutes re-read before the cursor to catch late-indexed records', default: 5, helpValue: 'MINUTES'}),
  ...syncPublishFlags,
  'metrics-file': Flags.string({
    summary: 'write Prometheus text-format metrics of the run to this file at its end, atomically (node_exporter textfile collector)',
    description: 'Written whatever the outcome (ok, failed, interrupted); see docs/operations.md.',
    env: 'CRMSYNC_METRICS_FILE',
    helpValue: 'PATH',
  }),
  ...progressFlags,
}
