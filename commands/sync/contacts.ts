import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncContacts extends SyncCommand {
  static summary = 'Sync contacts from HubSpot into the SQLite store (incremental after the first run)'
  static examples = ['<%= config.bin %> sync contacts', '<%= config.bin %> sync contacts --full --batch-size 50', '<%= config.bin %> sync contacts --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'contacts'
  }
}
