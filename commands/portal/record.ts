import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {connectionFlags} from '../../src/cli/connection-flags.js'
import {progressFlags, progressOptions} from '../../src/cli/progress-flags.js'
import {recordProgress} from '../../src/cli/progress/index.js'
import {type RecordCommandResult, runRecordCommand} from '../../src/portal/recorder-command.js'

export default class PortalRecord extends BaseCommand {
  static summary = 'Record a HubSpot portal through the API into a portal snapshot.'
  static description =
    'Crawls schemas (finding the custom object divisions by name), every property definition, all live and archived records with all their properties ' +
    '(property lists chunked to keep URLs short, merged by id) and the associations of every pair in scope (v4 batch read with per-record paging) into a ' +
    'portal snapshot folder (docs/portal-format.md), paced by the portal rate-limit headers. The token comes only from HUBSPOT_ACCESS_TOKEN or the config ' +
    'file and is never written anywhere. Interrupted runs keep their progress in <out>.record-work/ and the same command resumes them. ' +
    '--redact replaces the listed properties with deterministic fakes (same value and salt, same fake), so joins still hold. See docs/recorder.md.'

  static examples = [
    'HUBSPOT_ACCESS_TOKEN=pat-... <%= config.bin %> portal record --out .tmp/recorded',
    '<%= config.bin %> portal record --out .tmp/recorded --base-url http://127.0.0.1:3000 --entities contacts,deals',
    '<%= config.bin %> portal record --out .tmp/safe --redact email,phone,firstname,lastname --redact-salt team-secret --gzip --force',
  ]

  static flags = {
    out: Flags.string({description: 'snapshot folder to create (must not exist or be empty, unless --force)', required: true}),
    ...connectionFlags,
    entities: Flags.string({description: 'comma-separated entities to record: contacts,deals,appointments,divisions', defaultHelp: async () => 'all'}),
    redact: Flags.string({description: 'comma-separated property names whose values are replaced by deterministic fakes in every object type, e.g. email,phone,firstname,lastname'}),
    'redact-salt': Flags.string({description: 'key for the fakes: the same salt gives the same fakes across runs', defaultHelp: async () => 'random per recording', env: 'CRMSYNC_REDACT_SALT'}),
    gzip: Flags.boolean({description: 'gzip the NDJSON files', default: false}),
    force: Flags.boolean({description: 'replace a non-empty --out and discard an unfinished recording', default: false}),
    'portal-id': Flags.integer({description: 'portal id for the manifest when no custom object name reveals it'}),
    'rate-limit': Flags.string({description: 'starting request budget before the rate-limit headers are seen, e.g. 190/10s', defaultHelp: async () => '100/10s'}),
    'shared-budget': Flags.string({description: 'share the rate budget with other crmsync processes of this portal through Redis', env: 'CRMSYNC_REDIS_URL', helpValue: 'redis://HOST:PORT'}),
    debug: Flags.boolean({description: 'log each request (method, path, status, duration; never the token) as JSON to stderr', default: false}),
    ...progressFlags,
  }

  async run(): Promise<RecordCommandResult> {
    const {flags} = await this.parse(PortalRecord)
    const display = recordProgress(progressOptions(flags, this.jsonEnabled(), 'portal record'))
    let result: RecordCommandResult
    try {
      result = await runRecordCommand(flags, (line) => this.logToStderr(line), display)
    } finally {
      display.stop(true) // a no-op after the run stopped it
    }
    this.log(result.summary)
    return result
  }
}
