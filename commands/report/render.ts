import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {parseFormats, renderReportDir, type RenderDirResult} from '../../src/reports/index.js'

export default class ReportRender extends BaseCommand {
  static summary = 'Re-render a saved parity report (report.json) as Markdown, HTML and/or a terminal summary.'
  static description =
    'Reads DIR/report.json (schemaVersion 1 or 2), validates it, and writes DIR/report.md and DIR/report.html. Exit 2 when the folder or report is missing, corrupt or of an unsupported schema version.'
  static examples = [
    '<%= config.bin %> report render reports/2026-11-28T12-00-00Z',
    '<%= config.bin %> report render reports/run-1 --format terminal',
    '<%= config.bin %> report render reports/run-1 --format html --json',
  ]

  static args = {dir: Args.string({description: 'report folder holding report.json', required: true})}
  static flags = {
    format: Flags.string({description: 'comma-separated formats: md, html, terminal', default: 'md,html,terminal'}),
  }

  async run(): Promise<RenderDirResult> {
    const {args, flags} = await this.parse(ReportRender)
    const result = await renderReportDir(args.dir, parseFormats(flags.format), {color: Boolean(process.stdout.isTTY)})
    if (result.terminal !== undefined) this.log(result.terminal)
    for (const f of result.files) this.logToStderr(`wrote ${f}`)
    return result
  }
}
