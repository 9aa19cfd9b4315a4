import {Flags} from '@oclif/core'
import {DEFAULT_PROGRESS_INTERVAL, LOG_FORMATS, PROGRESS_MODES, type ProgressOptions} from './progress/index.js'
import {parseDuration} from './duration.js'

/** `--progress`, `--progress-interval`, `--log-format`: shared by every command that shows progress on stderr. */
export const progressFlags = {
  progress: Flags.string({
    summary: 'progress on stderr: auto (a live display on a terminal, one line per stream every interval otherwise, none with --json), tty, lines or none',
    options: [...PROGRESS_MODES],
    default: 'auto',
    env: 'CRMSYNC_PROGRESS',
  }),
  'progress-interval': Flags.string({
    summary: 'how often progress lines are written off a terminal, e.g. 10s, 1m',
    default: DEFAULT_PROGRESS_INTERVAL,
    env: 'CRMSYNC_PROGRESS_INTERVAL',
    helpValue: 'DURATION',
  }),
  'log-format': Flags.string({summary: 'format of progress lines: text (one human line each) or json (one JSON object each)', options: [...LOG_FORMATS], default: 'text', env: 'CRMSYNC_LOG_FORMAT'}),
}

/** The parsed progress flags as display options. */
export function progressOptions(flags: {progress: string; 'progress-interval': string; 'log-format': string}, json: boolean, command: string): ProgressOptions {
  return {
    mode: flags.progress as ProgressOptions['mode'],
    intervalMs: parseDuration(flags['progress-interval'], '--progress-interval'),
    format: flags['log-format'] as ProgressOptions['format'],
    json,
    command,
  }
}
