import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {storeFlags} from '../../src/cli/store-flags.js'
import type {SyncStatusResult} from '../../src/core/store-port.js'
import {readSyncStatus} from '../../src/store/read-status.js'
import {renderSyncStatus} from '../../src/store/status-table.js'

export default class SyncStatus extends BaseCommand {
  static summary = 'Show per stream the last run (outcome, mode, duration, requests), rows, dead letters and the cursor'
  static description =
    'The table fits 100 columns; --wide shows every figure (counts per outcome, 429s, retries, tombstones, merged rows, when each cursor was saved); --json all of it, cursors as stored.'
  static examples = ['<%= config.bin %> sync status', '<%= config.bin %> sync status --wide', '<%= config.bin %> sync status --db /data/crmsync.db --json']

  static flags = {...storeFlags, wide: Flags.boolean({summary: 'every column (wider than 100 characters)', default: false})}

  async run(): Promise<SyncStatusResult> {
    const {flags} = await this.parse(SyncStatus)
    const status = await readSyncStatus(flags.db)
    this.log(renderSyncStatus(status, {color: Boolean(process.stdout.isTTY), wide: flags.wide}))
    return status
  }
}
