import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {runGate, type GateResult} from '../../src/parity/history/gate.js'

export default class ParityGate extends BaseCommand {
  static summary = 'Sign-off gate: exit 0 only when each of the last N UTC calendar days has a READY report with zero new regressions and no expired ledger rule.'
  static description =
    'Exit 1 naming each failing day and why; on a pass writes <out>/signoff.json (the reports that satisfied each day with the SHA-256 of their report.json). Today (UTC) is the last day of the window. See docs/parity.md#history-and-the-gate.'
  static examples = ['<%= config.bin %> parity gate --days 5', '<%= config.bin %> parity gate --days 3 --out reports --json']

  static flags = {
    days: Flags.integer({summary: 'length of the window in UTC calendar days, today included', required: true, min: 1, helpValue: 'N'}),
    out: Flags.string({summary: 'report root folder', default: 'reports', helpValue: 'DIR'}),
  }

  async run(): Promise<GateResult> {
    const {flags} = await this.parse(ParityGate)
    const result = await runGate(flags.out, flags.days)
    if (!this.jsonEnabled()) this.log(result.summary)
    process.exitCode = result.passed ? 0 : 1
    return result
  }
}
