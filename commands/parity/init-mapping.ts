import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {parseDuration} from '../../src/cli/duration.js'
import {initMapping, type InitMappingResult} from '../../src/parity/mapping/init-mapping.js'

export default class ParityInitMapping extends BaseCommand {
  static summary = 'Write your own copy of the reference mapping, every ledger rule owned by you and expiring soon'
  static description =
    "Copies fixtures/mappings/legacy-django.json (it maps the reference legacy schema of docs/legacy-schema.md) and sets every ledger rule's owner and expiry, " +
    'so that accepted differences come up for review. Adapt table and field names to your schema afterwards (docs/mapping-file.md). A .yaml/.yml name writes YAML.'

  static examples = [
    '<%= config.bin %> parity init-mapping --out config/crmsync-mapping.json --owner data-platform',
    '<%= config.bin %> parity init-mapping --out mapping.yaml --owner crm-team --expires-in 30d',
  ]

  static flags = {
    out: Flags.string({summary: 'the mapping file to write (JSON, or YAML for .yaml/.yml)', required: true, helpValue: 'FILE'}),
    owner: Flags.string({summary: 'owner of every ledger rule: the team or person who answers for the accepted differences', required: true, helpValue: 'NAME'}),
    'expires-in': Flags.string({summary: 'every ledger rule expires this long from today, e.g. 90d or 30d', default: '90d', helpValue: 'DURATION'}),
    force: Flags.boolean({summary: 'replace FILE when it exists', default: false}),
  }

  async run(): Promise<InitMappingResult> {
    const {flags} = await this.parse(ParityInitMapping)
    const result = await initMapping({out: flags.out, owner: flags.owner, expiresInDays: parseDuration(flags['expires-in'], '--expires-in') / 86_400_000, force: flags.force})
    this.log(`wrote ${result.out}: ${result.rules.length} ledger rules owned by ${result.owner}, expiring ${result.expires} (from ${result.from})`)
    return result
  }
}
