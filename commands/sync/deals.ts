import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncDeals extends SyncCommand {
  static summary = 'Sync deals from HubSpot into the SQLite store (incremental after the first run)'
  static examples = ['<%= config.bin %> sync deals', '<%= config.bin %> sync deals --full --batch-size 50', '<%= config.bin %> sync deals --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'deals'
  }
}
