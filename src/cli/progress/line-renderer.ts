/**
 * Progress off a terminal (cron, CI, systemd): one line per running stream every `intervalMs`,
 * and one when a stream ends; human text (with an ISO time) or a JSON object per line.
 */
import type {ProgressState, StreamView} from './stream-state.js'
import {progressText} from './format.js'

/** One JSON progress line (`--log-format json`): a stream's view, when, and of which command. */
export type ProgressLine = StreamView & {time: string; event: 'progress'; command: string}

export interface LineRendererOptions {
  intervalMs: number
  format: 'text' | 'json'
  /** the command the lines belong to, e.g. `sync` */
  command: string
  write(line: string): void
  now?: () => number
}

/** Render `state` as log lines until `stop()`. */
export function lineRenderer(state: ProgressState, opts: LineRendererOptions): {ended(stream: string): void; print(line: string): void; stop(): void} {
  const now = opts.now ?? Date.now
  const reported = new Set<string>()
  const emit = (v: StreamView): void => {
    const time = new Date(now()).toISOString()
    const line: ProgressLine = {time, event: 'progress', command: opts.command, ...v}
    opts.write(opts.format === 'json' ? JSON.stringify(line) : `${time} ${opts.command} ${progressText(v)}`)
  }
  const timer = setInterval(() => {
    for (const v of state.views()) if (v.state === 'running' || v.state === 'waiting') emit(v)
  }, opts.intervalMs)
  timer.unref()
  return {
    ended(stream) {
      const v = state.views().find((x) => x.stream === stream)
      if (v && !reported.has(stream)) {
        reported.add(stream)
        emit(v)
      }
    },
    /** another line of the command's log, in the same format (`{"event": "log", "message"}` in JSON) */
    print(line) {
      opts.write(opts.format === 'json' ? JSON.stringify({time: new Date(now()).toISOString(), event: 'log', command: opts.command, message: line}) : line)
    },
    stop: () => clearInterval(timer),
  }
}
