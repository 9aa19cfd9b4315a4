import {Args} from '@oclif/core'
import {SyncCommand} from '../../src/cli/sync-command.js'

export default class Sync extends SyncCommand {
  static summary = 'Sync one entity (contacts, deals, appointments, divisions, associations, a configured custom object) or all'
  static args = {entity: Args.string({description: 'entity to sync, or all', required: true})}
  static examples = ['<%= config.bin %> sync all', '<%= config.bin %> sync projects --objects objects.yaml']

  protected async entity(): Promise<string> {
    const {args} = await this.parse(Sync)
    return args.entity
  }
}
