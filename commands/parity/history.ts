import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {runHistory, type HistoryResult} from '../../src/parity/history/run-history.js'

export default class ParityHistory extends BaseCommand {
  static summary = "Every indexed parity report with its verdict and root causes, and each root cause's trend (new, growing, shrinking, steady, gone) across the runs."
  static description =
    'Reads (and repairs) <out>/index.json, prints the runs oldest first and writes <out>/history.md and <out>/history.html (a trend chart per entity). Days are UTC. See docs/parity.md#history-and-the-gate.'
  static examples = ['<%= config.bin %> parity history', '<%= config.bin %> parity history --out reports --since 2026-11-20 --json']

  static flags = {
    out: Flags.string({summary: 'report root folder', default: 'reports', helpValue: 'DIR'}),
    since: Flags.string({summary: 'only reports created at or after this date or time (UTC)', helpValue: 'DATE'}),
  }

  async run(): Promise<HistoryResult> {
    const {flags} = await this.parse(ParityHistory)
    const result = await runHistory(flags.out, {since: flags.since})
    if (!this.jsonEnabled()) this.log(result.summary)
    return result
  }
}
