import {SyncCommand} from '../../src/cli/sync-command.js'

export default class SyncAppointments extends SyncCommand {
  static summary = 'Sync appointments from HubSpot into the SQLite store (incremental after the first run)'
  static examples = ['<%= config.bin %> sync appointments', '<%= config.bin %> sync appointments --full --batch-size 50', '<%= config.bin %> sync appointments --since 2026-01-01 --dry-run --json']

  protected entity(): string {
    return 'appointments'
  }
}
