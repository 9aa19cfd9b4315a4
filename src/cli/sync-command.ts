import {BaseCommand} from './base-command.js'
import {syncFlags} from './sync-flags.js'
import {connectorNamed} from '../connectors/index.js'
import {runSync, type SyncSummary} from '../core/sync-runner.js'
import {summaryTable} from '../core/sync-output.js'
import {openSyncStore} from '../store/sync-store.js'
import {runService, type ServiceSummary} from '../core/service.js'

/** Base of `crmsync sync <entity>` commands: parse the shared flags, run, print the summary table. */
export abstract class SyncCommand extends BaseCommand {
  static flags = syncFlags

  /** the entity this command syncs (`all` for every stream) */
  protected abstract entity(): Promise<string> | string

  async run(): Promise<SyncSummary | ServiceSummary> {
    const {flags} = await this.parse(this.constructor as typeof SyncCommand)
    const target = await this.entity()
    const json = this.jsonEnabled()
    const once = (): Promise<SyncSummary> => runSync(connectorNamed(flags.crm), {
      target,
      full: flags.full,
      since: flags.since,
      batchSize: flags['batch-size'],
      dryRun: flags['dry-run'],
      debug: flags.debug,
      db: flags.db,
      baseUrl: flags['base-url'],
      apiVersion: flags['api-version'],
      config: flags.config,
      objects: flags.objects,
      lookbackMinutes: flags.lookback,
      rateLimit: flags['rate-limit'],
      sharedBudget: flags['shared-budget'],
      json,
      progress: !json && process.stderr.isTTY === true && !flags.every,
    }, openSyncStore)
    if (flags.every) return runService({every: flags.every, listen: flags.listen, run: once, log: (line) => this.logToStderr(line)})
    const summary = await once()
    if (!json) {
      this.log(summaryTable(summary.streams))
      this.log(`${summary.dryRun ? 'dry run (nothing written): ' : ''}${summary.totals.fetched} records in ${summary.seconds.toFixed(2)} s (${summary.recordsPerSecond} records/s), ${summary.totals.requests} requests, peak RSS ${summary.peakRssMb} MB`)
    }
    return summary
  }
}
