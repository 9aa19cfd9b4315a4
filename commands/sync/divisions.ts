import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncDivisions extends SyncCommand {
  static summary = 'Sync divisions from HubSpot into the SQLite store (incremental after the first run)'
  static examples = ['<%= config.bin %> sync divisions', '<%= config.bin %> sync divisions --full --batch-size 50', '<%= config.bin %> sync divisions --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'divisions'
  }
}
