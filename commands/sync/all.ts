import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncAll extends SyncCommand {
  static summary = 'Sync every entity, then associations, from HubSpot into the SQLite store'
  static examples = ['<%= config.bin %> sync all', '<%= config.bin %> sync all --full --batch-size 50', '<%= config.bin %> sync all --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'all'
  }
}
