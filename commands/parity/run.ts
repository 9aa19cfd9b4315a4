import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {EXIT} from '../../src/core/errors.js'
import {runParity, type ParityRunResult} from '../../src/parity/run.js'
import {loadRunConfig} from '../../src/parity/run-config.js'
import {defaultRunDeps} from '../../src/parity/run-deps.js'
import {renderTerminal} from '../../src/reports/terminal.js'

export default class ParityRun extends BaseCommand {
  static summary = 'Run a whole parallel run: emulate the recorded portal, sync it with crmsync (and optionally legacy), diff, report.'
  static description =
    'Serves the config\'s portal snapshot with the emulator, optionally runs the legacy sync and snapshot commands against it (the sync timed; they get HUBSPOT_BASE_URL and a throwaway HUBSPOT_ACCESS_TOKEN), runs `crmsync sync all` against the same emulator into a fresh store (timed), then diffs the legacy snapshot with the store using the portal as the source of truth and writes <out>/<run-id>/report.{json,md,html}. Exit 0 READY, 1 NOT READY or a failed sync, 2 bad config or input. Progress goes to stderr.'
  static examples = ['<%= config.bin %> parity run --config fixtures/demo/parity.config.json', '<%= config.bin %> parity run --config staging/parity.yaml --json']

  static flags = {
    config: Flags.string({description: 'parity run config file (JSON or YAML); relative paths inside are resolved against its folder', required: true, helpValue: 'FILE'}),
    'allow-low-overlap': Flags.boolean({summary: 'diff even when the legacy snapshot and the store share few record keys (see docs/parity.md#input-sanity)'}),
    'strict-models': Flags.boolean({summary: 'a legacy model the mapping does not name is an input error (default: a warning)'}),
  }

  async run(): Promise<Omit<ParityRunResult, 'report'> & {report: string}> {
    const {flags} = await this.parse(ParityRun)
    const result = await runParity(loadRunConfig(flags.config), defaultRunDeps, undefined, {allowLowOverlap: flags['allow-low-overlap'], strictModels: flags['strict-models']})
    if (!this.jsonEnabled()) {
      this.log(renderTerminal(result.report, {color: Boolean(process.stdout.isTTY)}))
      this.log(`\nReport: ${result.files.find((f) => f.endsWith('.html')) ?? result.dir}`)
    }
    if (!result.ready) process.exitCode = EXIT.failure
    return {ready: result.ready, runId: result.runId, dir: result.dir, files: result.files, report: `${result.dir}/report.json`}
  }
}
