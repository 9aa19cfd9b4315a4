import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncAssociations extends SyncCommand {
  static summary = 'Sync associations (v4) between contacts, deals, appointments and divisions'
  static examples = ['<%= config.bin %> sync associations', '<%= config.bin %> sync associations --full --batch-size 50', '<%= config.bin %> sync associations --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'associations'
  }
}
