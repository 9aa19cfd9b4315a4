import {BaseCommand} from '../../src/cli/base-command.js'
import {storeFlags} from '../../src/cli/store-flags.js'
import type {SyncStatusResult} from '../../src/core/store-port.js'
import {readSyncStatus} from '../../src/store/status.js'
import {renderSyncStatus} from '../../src/store/status-table.js'

export default class SyncStatus extends BaseCommand {
  static summary = 'Show per stream the cursor, row counts, tombstones, dead letters and the last run'
  static examples = ['<%= config.bin %> sync status', '<%= config.bin %> sync status --db /data/crmsync.db --json']

  static flags = {...storeFlags}

  async run(): Promise<SyncStatusResult> {
    const {flags} = await this.parse(SyncStatus)
    const status = await readSyncStatus(flags.db)
    this.log(renderSyncStatus(status, {color: Boolean(process.stdout.isTTY)}))
    return status
  }
}
