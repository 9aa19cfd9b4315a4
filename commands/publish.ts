import {Flags} from '@oclif/core'
import {BaseCommand} from '../src/cli/base-command.js'
import {progressFlags, progressOptions} from '../src/cli/progress-flags.js'
import {publishProgress, underDisplay} from '../src/cli/progress/index.js'
import {lockWaitFlag, lockWaitMs, publishTargetFlags, requiredMappingFlag} from '../src/cli/publish-flags.js'
import {storeFlags} from '../src/cli/store-flags.js'
import {DEFAULT_BATCH, MAX_BATCH, runPublish, type PublishResult} from '../src/parity/publish/run-publish.js'
import {publishSummary} from '../src/parity/publish/summary.js'

export default class Publish extends BaseCommand {
  static summary = "Publish the store into the application's own tables (PostgreSQL or SQLite) through the mapping"
  static description =
    "Upserts every mapped entity by its key column (existing rows keep their primary key), resolves foreign keys, makes many-to-many through tables equal to the store's edges and deletes (or soft-deletes) archived records. Only what changed since the last publish to the target unless --full. Never creates or alters the application's tables: a missing or incompatible column is exit 2. See docs/publish.md."
  static examples = [
    '<%= config.bin %> publish --mapping fixtures/mappings/legacy-django.json --db crmsync.db --to postgres://app@db:5432/crm',
    '<%= config.bin %> publish --mapping mapping.json --to postgres://app@db:5432/crm --schema crmsync_shadow --dry-run',
    '<%= config.bin %> publish --mapping mapping.json --to app.sqlite3 --full --json',
    '<%= config.bin %> publish --mapping mapping.json --to postgres://app@db:5432/crm --lock-wait 5m',
  ]

  static flags = {
    ...storeFlags,
    mapping: requiredMappingFlag,
    ...publishTargetFlags,
    full: Flags.boolean({summary: "republish every row, not only what changed since this target's cursor", default: false}),
    'dry-run': Flags.boolean({summary: 'count what would be inserted, updated and deleted per table; change nothing', default: false}),
    'batch-size': Flags.integer({summary: `rows per target transaction (1..${MAX_BATCH})`, default: DEFAULT_BATCH, min: 1, max: MAX_BATCH, helpValue: 'N'}),
    'lock-wait': lockWaitFlag,
    ...progressFlags,
  }

  async run(): Promise<PublishResult> {
    const {flags} = await this.parse(Publish)
    const progress = publishProgress(progressOptions(flags, this.jsonEnabled(), 'publish'))
    const result = await underDisplay(progress, () =>
      runPublish({
        mapping: flags.mapping,
        db: flags.db,
        to: flags.to,
        schema: flags.schema,
        dryRun: flags['dry-run'],
        full: flags.full,
        batchSize: flags['batch-size'],
        progress,
        lockWaitMs: lockWaitMs(flags['lock-wait'], '--lock-wait'),
      }),
    )
    if (!this.jsonEnabled()) this.log(publishSummary(result))
    return result
  }
}
