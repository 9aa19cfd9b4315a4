import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {suggestMapping, type SuggestResult} from '../../src/parity/suggest.js'

export default class ParitySuggest extends BaseCommand {
  static summary = 'Write a new mapping with the suggested changes of a parity report applied (normalizers and ledger rules).'
  static description =
    'Reads REPORT_DIR/report.json, takes the suggestions of its root causes (all, or those named by --only), merges them into --mapping and writes --out (validated). Then diff again with the new mapping. See docs/parity.md.'
  static examples = ['<%= config.bin %> parity suggest reports/run-1 --mapping mapping.json --out mapping.next.json --only deals.close_date.timezone-shift']

  static args = {reportDir: Args.string({description: 'report folder holding report.json', required: true})}
  static flags = {
    mapping: Flags.string({summary: 'the mapping the report was made with', required: true, helpValue: 'FILE'}),
    out: Flags.string({summary: 'where to write the new mapping (JSON, or YAML for .yaml/.yml)', required: true, helpValue: 'FILE'}),
    only: Flags.string({summary: 'comma-separated root cause ids to apply; without it, every suggestion is applied', helpValue: 'ID,...'}),
  }

  async run(): Promise<SuggestResult> {
    const {args, flags} = await this.parse(ParitySuggest)
    const result = await suggestMapping({
      reportDir: args.reportDir,
      mapping: flags.mapping,
      out: flags.out,
      only: flags.only
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    })
    if (!this.jsonEnabled()) for (const a of result.applied) this.log(`applied ${a.id}: ${a.text}`)
    if (!this.jsonEnabled()) this.log(`wrote ${result.out}`)
    return result
  }
}
