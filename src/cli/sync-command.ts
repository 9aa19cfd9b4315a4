import type {Interfaces} from '@oclif/core'
import {BaseCommand} from './base-command.js'
import {progressOptions} from './progress-flags.js'
import {publishProgress, syncProgress, underDisplay} from './progress/index.js'
import {syncFlags} from './sync-flags.js'
import {checkMetricsFile, writeSyncMetrics} from './sync-metrics.js'
import {connectorNamed} from '../connectors/index.js'
import {runSync, summaryOf, type SyncSummary} from '../core/sync-runner.js'
import {summaryTable} from '../core/sync-output.js'
import {openSyncStore} from '../store/sync-store.js'
import type {PublishResult} from '../parity/publish/run-publish.js'
import {acquireStoreLock} from '../store/lock.js'
import {preferSmallHeap} from './heap-mode.js'
import {lockWaitMs} from './publish-flags.js'

type SyncFlags = Interfaces.InferredFlags<typeof syncFlags>
import {runService, type ServiceSummary} from '../core/service.js'

/** Base of `crmsync sync <entity>` commands: parse the shared flags, run, print the summary table. */
export abstract class SyncCommand extends BaseCommand {
  static flags = syncFlags

  /** the entity this command syncs (`all` for every stream) */
  protected abstract entity(): Promise<string> | string

  async run(): Promise<(SyncSummary & {publish?: PublishResult}) | ServiceSummary> {
    preferSmallHeap()
    const {flags} = await this.parse(this.constructor as typeof SyncCommand)
    const target = await this.entity()
    const json = this.jsonEnabled()
    // a bad mapping or wait for the publish phase is refused before the sync runs, not after it
    if (flags['publish-to']) (await import('../parity/mapping/load.js')).loadMapping(flags.mapping!)
    const publishWaitMs = lockWaitMs(flags['publish-wait'], '--publish-wait')
    // one sync per store at a time, taken before any API call (a dry run writes nothing: no lock)
    const once = async (): Promise<SyncSummary & {publish?: PublishResult}> => {
      const lock = flags['dry-run']
        ? undefined
        : await acquireStoreLock(flags.db, {
            wait: flags.wait,
            command: `sync ${target}`,
            onWait: (h) => process.stderr.write(`waiting for the sync holding ${flags.db}${h ? ` (pid ${h.pid}, started ${h.startedAt})` : ''} to finish\n`),
          })
      try {
        return await this.sync(target, flags, json, publishWaitMs)
      } finally {
        lock?.release()
      }
    }
    if (flags.every) return runService({every: flags.every, listen: flags.listen, run: once, log: (line) => this.logToStderr(line)})
    return once()
  }

  private async sync(target: string, flags: SyncFlags, json: boolean, publishWaitMs: number): Promise<SyncSummary & {publish?: PublishResult}> {
    const metricsFile = flags['metrics-file']
    if (metricsFile) checkMetricsFile(metricsFile)
    const progress = syncProgress(progressOptions(flags, json, `sync ${target}`))
    let summary: SyncSummary
    try {
      summary = await runSync(
        connectorNamed(flags.crm),
        {
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
          reconcileAssociations: flags['reconcile-associations'],
          lanes: flags.lanes,
          json,
          progress,
        },
        openSyncStore,
      )
    } catch (err) {
      const failed = summaryOf(err)
      if (metricsFile && failed) await writeSyncMetrics(metricsFile, failed, flags.db)
      throw err
    } finally {
      progress?.stop()
    }
    if (metricsFile) await writeSyncMetrics(metricsFile, summary, flags.db)
    if (!json) {
      this.log(summaryTable(summary.streams))
      this.log(
        `${summary.dryRun ? 'dry run (nothing written): ' : ''}${summary.totals.fetched} records in ${summary.seconds.toFixed(2)} s (${summary.recordsPerSecond} records/s), ${summary.totals.requests} requests, peak RSS ${summary.peakRssMb} MB`,
      )
    }
    // second phase: publish what changed (only after a successful, real sync)
    const to = flags['publish-to']
    if (!to || summary.status !== 'ok' || summary.dryRun) return summary
    // loaded only when asked for: a plain sync does not pay for pg and the mapping code
    const [{runPublish}, {publishSummary}] = await Promise.all([import('../parity/publish/run-publish.js'), import('../parity/publish/summary.js')])
    const display = publishProgress(progressOptions(flags, json, `sync ${target} publish`))
    const publish = await underDisplay(display, () => runPublish({mapping: flags.mapping!, db: flags.db, to, schema: flags['publish-schema'], progress: display, lockWaitMs: publishWaitMs}))
    if (!json) this.log(publishSummary(publish))
    return {...summary, publish}
  }
}
