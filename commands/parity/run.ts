import {Flags} from '@oclif/core'
import {BaseCommand} from '../../src/cli/base-command.js'
import {progressFlags, progressOptions} from '../../src/cli/progress-flags.js'
import {parityRunProgress, underDisplay} from '../../src/cli/progress/index.js'
import {EXIT} from '../../src/core/errors.js'
import {runParity, type ParityRunResult} from '../../src/parity/run.js'
import {loadRunConfig} from '../../src/parity/run-config.js'
import {defaultRunDeps} from '../../src/parity/run-deps.js'
import {renderTerminal} from '../../src/reports/terminal.js'

const CONFIG_KEYS = [
  'CONFIG FILE KEYS (JSON or YAML; relative paths resolve against its folder):',
  'portal: (required) portal snapshot folder, served and the source of truth',
  'mapping: (required) mapping file; `crmsync parity init-mapping` writes one',
  'legacy: (required) legacy snapshot path or postgres:// URL, or an object:',
  'legacy.snapshot: what the diff reads (dumpdata, CSV folder, SQLite, URL)',
  'legacy.syncCommand: legacy sync run against the emulator first (string or',
  '  argv array; it gets HUBSPOT_BASE_URL and HUBSPOT_ACCESS_TOKEN)',
  'legacy.snapshotCommand: writes legacy.snapshot afterwards (e.g. dumpdata)',
  "legacy.cwd: folder of the legacy commands [default: the config's folder]",
  'legacy.timeoutSeconds: kill a legacy command after this [default: 3600]',
  'out: reports go to <out>/<run-id>/ [default: reports]',
  'store: crmsync store to create [default: a temporary file, then deleted]',
  "legacySnapshotAt: ISO 8601 [default: the mapping's legacy.snapshotAt]",
  "thresholds: verdict keys overriding the mapping's: maxNewRegressions,",
  '  maxUnexplainedMismatchRate, maxErrorRate, minPerformanceRatio',
  'syncArgs: extra arguments of `crmsync sync all` [default: []]',
  'emulator: how both syncs are served (same limits, so timings compare):',
  'emulator.rateLimit: e.g. "100/10s" [default: none]',
  'emulator.searchRate: e.g. "5/s" [default: none]',
  'emulator.faults: a `crmsync serve --faults` spec [default: none]',
  'emulator.seed: seed of random faults [default: 1]',
].join('\n')

export default class ParityRun extends BaseCommand {
  static summary = 'Run a whole parallel run: emulate the recorded portal, sync it with crmsync (and optionally legacy), diff, report.'
  static description =
    "Serves the config's portal snapshot with the emulator, optionally runs the legacy sync and snapshot commands against it (the sync timed; they get HUBSPOT_BASE_URL and a throwaway HUBSPOT_ACCESS_TOKEN), runs `crmsync sync all` against the same emulator into a fresh store (timed), then diffs the legacy snapshot with the store using the portal as the source of truth and writes <out>/<run-id>/report.{json,md,html}. Exit 0 READY, 1 NOT READY or a failed sync, 2 bad config or input. Progress goes to stderr.\n\n" +
    CONFIG_KEYS
  static examples = ['<%= config.bin %> parity run --config fixtures/demo/parity.config.json', '<%= config.bin %> parity run --config staging/parity.yaml --json']

  static flags = {
    config: Flags.string({summary: 'parity run config file (JSON or YAML): its keys are listed below', required: true, helpValue: 'FILE'}),
    'allow-low-overlap': Flags.boolean({summary: 'diff even when the legacy snapshot and the store share few record keys (see docs/parity.md#input-sanity)'}),
    'strict-models': Flags.boolean({summary: 'treat a legacy model the mapping does not name as an input error instead of a warning'}),
    ...progressFlags,
  }

  async run(): Promise<Omit<ParityRunResult, 'report'> & {report: string}> {
    const {flags} = await this.parse(ParityRun)
    const config = loadRunConfig(flags.config)
    const progress = parityRunProgress(progressOptions(flags, this.jsonEnabled(), 'parity run'))
    const result = await underDisplay(progress, () => runParity(config, defaultRunDeps, progress.print, {allowLowOverlap: flags['allow-low-overlap'], strictModels: flags['strict-models']}, progress))
    if (!this.jsonEnabled()) {
      this.log(renderTerminal(result.report, {color: Boolean(process.stdout.isTTY)}))
      this.log(`\nReport: ${result.files.find((f) => f.endsWith('.html')) ?? result.dir}`)
    }
    if (!result.ready) process.exitCode = EXIT.failure
    return {ready: result.ready, runId: result.runId, dir: result.dir, files: result.files, report: `${result.dir}/report.json`}
  }
}
