import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {progressFlags, progressOptions} from '../../src/cli/progress-flags.js'
import {phaseProgress} from '../../src/cli/progress/index.js'
import {connectionFlags} from '../../src/cli/connection-flags.js'
import {syncFlags} from '../../src/cli/sync-flags.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {summarizeReport, type ParityDiffResult} from '../../src/parity/summary.js'

export default class ParityDiff extends BaseCommand {
  static summary = 'Diff a legacy snapshot against the crmsync store and write reports/<run-id>/report.json (+ .md, .html).'
  static description =
    'Exit 0 when the verdict is READY, 1 when NOT READY, 2 on a usage or input error. With --portal, every difference is attributed (legacy defect, new regression, both wrong, changed at source). See docs/parity.md.'
  static examples = [
    '<%= config.bin %> parity diff --legacy legacy.json.gz --mapping fixtures/mappings/legacy-django.json --db crmsync.db --portal portal/',
    '<%= config.bin %> parity diff --legacy postgres://readonly@db:5432/crm --mapping mapping.yaml --json',
  ]

  static flags = {
    legacy: Flags.string({summary: 'legacy snapshot: dumpdata JSON/JSONL (.gz), CSV folder, SQLite file or postgres:// URL', required: true, helpValue: 'PATH|URL'}),
    mapping: Flags.string({summary: 'mapping file (JSON or YAML)', required: true, helpValue: 'FILE'}),
    db: Flags.string({summary: 'crmsync store', defaultHelp: async () => 'crmsync.db', env: 'CRMSYNC_DB', helpValue: 'FILE'}),
    portal: Flags.string({summary: 'source portal snapshot folder, for three-way attribution', helpValue: 'DIR'}),
    'noise-baseline': Flags.string({summary: 'a second legacy snapshot: fields differing between the two are noise', helpValue: 'PATH|URL'}),
    'legacy-snapshot-at': Flags.string({
      summary: 'when the legacy snapshot was taken (ISO 8601)',
      defaultHelp: async () => "the mapping's legacy.snapshotAt, else the newest last_synced_at",
      helpValue: 'ISO',
    }),
    out: Flags.string({summary: 'report root folder', default: 'reports', helpValue: 'DIR'}),
    'allow-low-overlap': Flags.boolean({summary: 'diff even when the legacy snapshot and the store share few record keys (see docs/parity.md#input-sanity)'}),
    'strict-models': Flags.boolean({summary: 'treat a legacy model the mapping does not name as an input error instead of a warning'}),
    ...progressFlags,
    adjudicate: Flags.boolean({
      summary: 'read the disputed records and their associations live from the portal (with the token sync uses) as the source of truth, instead of --portal',
      exclusive: ['portal'],
    }),
    ...connectionFlags,
    'rate-limit': syncFlags['rate-limit'],
    'shared-budget': syncFlags['shared-budget'],
  }

  async run(): Promise<ParityDiffResult> {
    const {flags} = await this.parse(ParityDiff)
    const progress = phaseProgress(progressOptions(flags, this.jsonEnabled(), 'parity diff'))
    let failed = true
    let done: Awaited<ReturnType<typeof runParityDiff>>
    try {
      done = await runParityDiff({
        legacy: flags.legacy,
        mapping: flags.mapping,
        db: flags.db,
        portal: flags.portal,
        noiseBaseline: flags['noise-baseline'],
        legacySnapshotAt: flags['legacy-snapshot-at'],
        out: flags.out,
        allowLowOverlap: flags['allow-low-overlap'],
        strictModels: flags['strict-models'],
        adjudicate: flags.adjudicate
          ? {baseUrl: flags['base-url'], config: flags.config, apiVersion: flags['api-version'], rateLimit: flags['rate-limit'], sharedBudget: flags['shared-budget']}
          : undefined,
        onWarning: (m) => process.stderr.write(`Warning: ${m}\n`),
        onPhase: progress.onPhase,
      })
      failed = false
    } finally {
      progress.stop(failed)
    }
    const {report, dir} = done
    const result = summarizeReport(report, dir)
    if (!this.jsonEnabled()) this.log(result.summary)
    process.exitCode = report.verdict.ready ? 0 : 1
    return result
  }
}
