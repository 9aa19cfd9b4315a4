import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/core/errors.js'
import {generatePortal, type GenerateResult} from '../../src/portal/generate-command.js'

const ratio = Flags.custom<number>({
  parse: async (s) => {
    const n = Number(s)
    if (s.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--archived-ratio must be a number from 0 to 1, got "${s}".`, 'Pass e.g. --archived-ratio 0.05 (5% archived).', 'BAD_FLAG')
    return n
  },
})

export default class PortalGenerate extends BaseCommand {
  static summary = 'Generate a deterministic synthetic HubSpot portal snapshot.'
  static description =
    'Writes a portal snapshot folder (docs/portal-format.md) with contacts, deals, appointments (0-421), the custom object divisions and their associations. ' +
    'The same flags always produce byte-identical files. Records include the awkward cases real portals have: unicode and very long names, messy e-mails, ' +
    'null and empty values, many-decimal amounts, epoch-millisecond dates, a bulk-update timestamp shared by many contacts, archived and merged records, ' +
    'ids above 2^53 and records with more than 100 associations. Memory stays bounded at any size. Exit 2 for bad flags or a non-empty --out without --force.'

  static examples = [
    '<%= config.bin %> portal generate --out .tmp/portal --contacts 1000 --deals 300 --appointments 200 --divisions 12 --seed 42',
    '<%= config.bin %> portal generate --out .tmp/big --contacts 1000000 --deals 200000 --appointments 100000 --divisions 50 --seed 7 --shared-timestamp 12000 --gzip',
    '<%= config.bin %> portal generate --out .tmp/wide --contacts 500 --deals 100 --appointments 50 --divisions 5 --seed 1 --custom-properties 300 --force --json',
  ]

  static flags = {
    out: Flags.string({description: 'snapshot folder to create (must not exist or be empty, unless --force)', required: true}),
    contacts: Flags.integer({description: 'number of contacts (live + archived)', default: 1000}),
    deals: Flags.integer({description: 'number of deals', default: 300}),
    appointments: Flags.integer({description: 'number of appointments (object 0-421)', default: 200}),
    divisions: Flags.integer({description: 'number of records of the custom object divisions', default: 10}),
    companies: Flags.integer({description: 'number of companies (0-2) to include; 0 leaves the object type out', default: 0}),
    tickets: Flags.integer({description: 'number of tickets (0-5) to include; 0 leaves the object type out', default: 0}),
    seed: Flags.integer({description: 'random seed: same seed and flags give byte-identical output', default: 1}),
    'custom-properties': Flags.integer({
      description: 'custom properties added to every object type, cycling through string, number, date, datetime, enumeration and bool',
      default: 0,
      defaultHelp: async () => '0',
    }),
    'shared-timestamp': Flags.integer({description: 'contacts that share one last-modified timestamp, like a bulk update', defaultHelp: async () => 'a tenth of --contacts'}),
    'archived-ratio': ratio({description: 'share of records that are archived (deleted), 0 to 1', default: 0.02}),
    gzip: Flags.boolean({description: 'gzip the NDJSON files (.ndjson.gz)', default: false}),
    'portal-id': Flags.integer({description: 'HubSpot portal id to record in the manifest', defaultHelp: async () => 'derived from --seed'}),
    force: Flags.boolean({description: 'replace --out if it already holds files (only once the new snapshot is complete)', default: false}),
  }

  async run(): Promise<GenerateResult> {
    const {flags} = await this.parse(PortalGenerate)
    const result = await generatePortal(
      {
        out: flags.out,
        contacts: flags.contacts,
        deals: flags.deals,
        appointments: flags.appointments,
        divisions: flags.divisions,
        companies: flags.companies,
        tickets: flags.tickets,
        seed: flags.seed,
        customProperties: flags['custom-properties'],
        sharedTimestamp: flags['shared-timestamp'],
        archivedRatio: flags['archived-ratio'],
        gzip: flags.gzip,
        portalId: flags['portal-id'],
        force: flags.force,
      },
      {onProgress: (p) => this.logToStderr(`  ${p.entity}: ${p.written.toLocaleString('en-US')}`)},
    )
    this.log(result.summary)
    return result
  }
}
