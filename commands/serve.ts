import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {serve, type ServeResult} from '../src/emulator/serve.js'

export default class Serve extends BaseCommand {
  static summary = 'Serve a portal snapshot as a HubSpot API emulator on 127.0.0.1.'
  static description =
    'Serves list, get, search, batch read, v4 associations and labels, schemas, properties, owners and pipelines as HubSpot does (limits, paging, the 10,000 search cap, error bodies), ' +
    'with a bearer-token check, HubSpot rate limits and headers (190/10 s unless --rate-limit says otherwise), and fault switches (429 bursts, 5xx, connection resets, slow responses, malformed JSON, ' +
    'search-index lag, records changing during a sync). The first stdout line is `crmsync emulator listening on http://127.0.0.1:PORT` (with --json, a JSON line). ' +
    'Stops cleanly on SIGINT/SIGTERM (exit 0). Bad flags or a missing/corrupt portal exit 2; a port in use exits 1. See docs/emulator.md.'

  static examples = [
    '<%= config.bin %> serve --portal .tmp/portal --port 8080',
    '<%= config.bin %> serve --portal .tmp/portal --rate-limit 100/10s --search-rate 5/s --daily-limit 250000',
    '<%= config.bin %> serve --portal .tmp/portal --port 0 --faults "429-burst:every=50,count=3,retry-after=off;5xx:rate=0.02;index-lag:seconds=5" --seed 7',
    '<%= config.bin %> serve --portal .tmp/portal --faults "mutations:auto,every=25" --json',
  ]

  static flags = {
    portal: Flags.string({summary: 'portal snapshot folder to serve (from `crmsync portal generate` or `portal record`)', required: true, helpValue: 'DIR'}),
    port: Flags.integer({summary: 'port on 127.0.0.1; 0 picks a free one (printed on the first stdout line)', default: 0, defaultHelp: async () => '0'}),
    'rate-limit': Flags.string({
      summary: 'rolling budget for every non-search request, e.g. 100/10s (HubSpot: 100, 190 or 250 per 10 s); none for no limit',
      defaultHelp: async () => '190/10s',
      helpValue: 'N/INTERVAL|none',
    }),
    'search-rate': Flags.string({
      summary: "separate budget for search requests, e.g. 5/s (HubSpot's); none for no search limit",
      defaultHelp: async () => '5/s (none with --rate-limit none)',
      helpValue: 'N/INTERVAL|none',
    }),
    'daily-limit': Flags.integer({summary: 'requests allowed per UTC day', defaultHelp: async () => 'none', helpValue: 'N'}),
    faults: Flags.string({summary: 'fault spec, e.g. "429-burst:every=50,count=3;5xx:rate=0.02;reset:every=100;index-lag:seconds=5" (docs/emulator.md)', helpValue: 'SPEC'}),
    token: Flags.string({summary: 'the only bearer token accepted; with neither the flag nor the variable, any non-empty token', env: 'HUBSPOT_ACCESS_TOKEN'}),
    seed: Flags.integer({summary: 'seed for random faults and automatic mutations', default: 1}),
    'association-page-size': Flags.integer({summary: 'associations per record per v4 page (HubSpot: 500)', default: 500}),
    'deny-scope': Flags.string({summary: 'answer 403 MISSING_SCOPES for this object type (repeatable)', multiple: true}),
    log: Flags.string({summary: 'write one JSON line per request ({method, path, status, ms}; never headers or the token) to this file', helpValue: 'FILE'}),
    'retry-after': Flags.boolean({summary: 'send Retry-After with rate-limit 429s', default: true, allowNo: true}),
  }

  async run(): Promise<ServeResult> {
    const {flags} = await this.parse(Serve)
    const result = await serve(
      {
        portal: flags.portal,
        port: flags.port,
        rateLimit: flags['rate-limit'],
        searchRate: flags['search-rate'],
        dailyLimit: flags['daily-limit'],
        faults: flags.faults,
        token: flags.token,
        seed: flags.seed,
        associationPageSize: flags['association-page-size'],
        denyScopes: flags['deny-scope'],
        retryAfter: flags['retry-after'],
        log: flags.log,
      },
      (url, port) => {
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({event: 'listening', url, port})}\n`)
        else this.log(`crmsync emulator listening on ${url}`)
      },
    )
    this.logToStderr(`crmsync emulator stopped (${result.stoppedBy}) after ${result.stats.requests} requests`)
    return result
  }
}
