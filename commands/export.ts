import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {UsageError} from '../src/core/errors.js'
import {storeFlags} from '../src/cli/store-flags.js'
import {EXPORT_FORMATS, exportStore, type ExportFormat, type ExportResult} from '../src/store/export.js'

export default class Export extends BaseCommand {
  static summary = 'Write what the store holds for one entity (or the associations) as NDJSON or CSV'
  static description =
    'Records come out HubSpot-shaped ({id, properties, createdAt, updatedAt, archived, archivedAt}) in id order, tombstones included with archived true; merged-away records are left out. `associations` gives one line per from-to pair and type. Output goes to stdout unless --out is given (then a temp file is renamed into place).'
  static examples = [
    '<%= config.bin %> export contacts > contacts.ndjson',
    '<%= config.bin %> export deals --format csv --out deals.csv',
    '<%= config.bin %> export associations --db /data/crmsync.db --out edges.ndjson --json',
  ]

  static args = {entity: Args.string({description: 'entity to export (contacts, deals, appointments, divisions, a custom object) or associations', required: true})}
  static flags = {
    ...storeFlags,
    format: Flags.string({summary: 'output format', options: [...EXPORT_FORMATS], default: 'ndjson'}),
    out: Flags.string({summary: 'write to this file instead of stdout', helpValue: 'FILE'}),
  }

  async run(): Promise<ExportResult> {
    const {args, flags} = await this.parse(Export)
    if (this.jsonEnabled() && !flags.out) throw new UsageError('--json needs --out: the records and the JSON summary cannot share stdout', 'add --out FILE, or drop --json')
    const result = await exportStore(flags.db, args.entity, flags.format as ExportFormat, flags.out ?? null)
    if (result.out) this.logToStderr(`wrote ${result.count} ${args.entity} to ${result.out}`)
    return result
  }
}
