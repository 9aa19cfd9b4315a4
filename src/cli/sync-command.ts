import type {Interfaces} from '@oclif/core'
import {BaseCommand} from './base-command.js'
import {syncFlags} from './sync-flags.js'
import {runHubSpotSync, type SyncSummary} from '../connectors/sync.js'
import {summaryTable} from '../core/sync-output.js'
import {acquireStoreLock} from '../store/lock.js'

type SyncFlags = Interfaces.InferredFlags<typeof syncFlags>

/** Base of `crmsync sync <entity>` commands: parse the shared flags, run, print the summary table. */
export abstract class SyncCommand extends BaseCommand {
  static flags = syncFlags

  /** the entity this command syncs (`all` for every stream) */
  protected abstract entity(): Promise<string> | string

  async run(): Promise<SyncSummary> {
    const {flags} = await this.parse(this.constructor as typeof SyncCommand)
    const target = await this.entity()
    const json = this.jsonEnabled()
    // one sync per store at a time, taken before any API call (a dry run writes nothing: no lock)
    const lock = flags['dry-run'] ? undefined : await acquireStoreLock(flags.db, {wait: flags.wait, command: `sync ${target}`, onWait: (h) => process.stderr.write(`waiting for the sync holding ${flags.db}${h ? ` (pid ${h.pid}, started ${h.startedAt})` : ''} to finish\n`)})
    try {
      return await this.sync(target, flags, json)
    } finally {
      lock?.release()
    }
  }

  private async sync(target: string, flags: SyncFlags, json: boolean): Promise<SyncSummary> {
    const summary = await runHubSpotSync({
      target,
      full: flags.full,
      since: flags.since,
      batchSize: flags['batch-size'],
      dryRun: flags['dry-run'],
      debug: flags.debug,
      db: flags.db,
      baseUrl: flags['base-url'],
      config: flags.config,
      objects: flags.objects,
      lookbackMinutes: flags.lookback,
      rateLimit: flags['rate-limit'],
      sharedBudget: flags['shared-budget'],
      json,
      progress: !json && process.stderr.isTTY === true,
    })
    if (!json) {
      this.log(summaryTable(summary.streams))
      this.log(`${summary.dryRun ? 'dry run (nothing written): ' : ''}${summary.totals.fetched} records in ${summary.seconds.toFixed(2)} s (${summary.recordsPerSecond} records/s), ${summary.totals.requests} requests, peak RSS ${summary.peakRssMb} MB`)
    }
    return summary
  }
}
