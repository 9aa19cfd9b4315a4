/**
 * The progress display of a command, chosen by `--progress` (auto: a live display on a terminal,
 * log lines otherwise, nothing with --json), `--progress-interval` and `--log-format`.
 */
import type {SyncProgress} from '../../core/sync-request.js'
import {lineRenderer, type ProgressLine} from './line-renderer.js'
import {ProgressState} from './stream-state.js'
import {ttyRenderer} from './tty-renderer.js'

export type ProgressMode = 'auto' | 'tty' | 'lines' | 'none'
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'tty', 'lines', 'none']
export const LOG_FORMATS = ['text', 'json'] as const
export const DEFAULT_PROGRESS_INTERVAL = '10s'

export interface ProgressOptions {
  mode: ProgressMode
  intervalMs: number
  format: (typeof LOG_FORMATS)[number]
  /** --json was given: `auto` stays quiet */
  json: boolean
  command: string
  /** stderr by default */
  out?: NodeJS.WriteStream
}

/** The display that `opts` and the terminal call for, or null for none. */
export function resolveProgress(opts: Pick<ProgressOptions, 'mode' | 'json'>, isTty: boolean): 'tty' | 'lines' | null {
  if (opts.mode === 'none') return null
  if (opts.mode === 'auto') return opts.json ? null : isTty ? 'tty' : 'lines'
  return opts.mode
}

/** A started display: its state (fed by the caller) and a stop that draws the last frame. */
export interface ProgressDisplay {
  state: ProgressState
  ended(stream: string): void
  /** a line of text for stderr that does not break the display (above a terminal's live frame) */
  print(line: string): void
  stop(): void
}

/** Start the display `opts` asks for, or return null. */
export function startProgress(opts: ProgressOptions): ProgressDisplay | null {
  const out = opts.out ?? process.stderr
  const kind = resolveProgress(opts, out.isTTY === true)
  if (!kind) return null
  const state = new ProgressState()
  if (kind === 'tty') {
    const r = ttyRenderer(state, {write: (t) => out.write(t), columns: () => out.columns ?? 100})
    return {state, ended: () => undefined, print: (l) => r.print(l), stop: () => r.stop()}
  }
  const r = lineRenderer(state, {intervalMs: opts.intervalMs, format: opts.format, command: opts.command, write: (l) => out.write(`${l}\n`)})
  return {state, ended: (s) => r.ended(s), print: (l) => r.print(l), stop: () => r.stop()}
}

/** The display as the sync engine's progress (core feeds it through hooks). */
export function syncProgress(opts: ProgressOptions): SyncProgress | undefined {
  const d = startProgress(opts)
  if (!d) return undefined
  const {state} = d
  return {
    watchRateLimit: (rateWait) => state.watchRateLimit(rateWait),
    hooks: {
      onStreamStart: (stream) => state.start(stream),
      onStreamPlan: (stream, info) => state.plan(stream, info),
      onPage: (stream, info) => state.update(stream, {records: info.total, phase: info.phase, requests: info.requests}),
      onStreamEnd: (stream, r) => {
        state.end(stream, {records: r.fetched, requests: r.requests, failed: r.status !== 'ok'})
        d.ended(stream)
      },
    },
    stop: once(() => d.stop()),
  }
}

function once<A extends unknown[]>(f: (...args: A) => void): (...args: A) => void {
  let done = false
  return (...args) => {
    if (done) return
    done = true
    f(...args)
  }
}

/**
 * One entry of a display at a time (a phase, a step): `begin` ends the current one and starts the
 * next, `close` ends the current one (with its final figures, failed or not).
 */
function oneAtATime(d: ProgressDisplay | null): {
  readonly current: string | null
  begin(key: string, info?: Parameters<ProgressState['start']>[1]): void
  close(failed: boolean, final?: {records?: number}): void
} {
  let current: string | null = null
  const close = (failed: boolean, final: {records?: number} = {}): void => {
    if (!d || current === null) return
    d.state.end(current, {...final, failed})
    d.ended(current)
    current = null
  }
  return {
    get current() {
      return current
    },
    begin(key, info) {
      if (!d) return
      close(false)
      current = key
      d.state.start(key, info)
    },
    close,
  }
}

/** Phases on a display: each phase a line, ended when the next begins (or by `close`). */
function phaseProgressOn(d: ProgressDisplay | null): {onPhase(phase: string): void; close(failed: boolean): void} {
  const phases = oneAtATime(d)
  return {onPhase: (phase) => phases.begin(phase, {phaseOnly: true}), close: (failed) => phases.close(failed)}
}

/** The display as a command's phases (`parity diff`): each phase a line, ended when the next begins. */
export function phaseProgress(opts: ProgressOptions): {onPhase(phase: string): void; stop(failed?: boolean): void} {
  const d = startProgress(opts)
  const phases = phaseProgressOn(d)
  return {
    onPhase: phases.onPhase,
    stop: once((failed = false) => {
      phases.close(failed)
      d?.stop()
    }),
  }
}

/** The display as `portal record`'s steps: one line per step and entity (`records contacts`, `associations`), records so far, the rate-limit wait. */
export function recordProgress(opts: ProgressOptions): {
  watchRateLimit(rateWait: () => number | null): void
  onProgress(p: {step: string; entity?: string; archived?: boolean; count: number}): void
  stop(failed?: boolean): void
} {
  const d = startProgress(opts)
  const steps = oneAtATime(d)
  // an entity's live list, then its archived list, each counted from 0: the line shows their sum
  const lists = new Map<boolean, number>()
  return {
    watchRateLimit: (rateWait) => d?.state.watchRateLimit(rateWait),
    onProgress(p) {
      if (!d) return
      const key = p.entity ? `${p.step} ${p.entity}` : p.step
      if (key !== steps.current) {
        steps.begin(key, {phaseOnly: p.step === 'discover' || p.step === 'assemble'})
        lists.clear()
      }
      lists.set(p.archived === true, p.count)
      d.state.update(key, {records: (lists.get(false) ?? 0) + (lists.get(true) ?? 0)})
    },
    stop: once((failed = false) => {
      steps.close(failed)
      d?.stop()
    }),
  }
}

/** How often a publish step's row counter is sampled into the display. */
const PUBLISH_SAMPLE_MS = 200

/**
 * The display as `publish`'s steps (`upsert crm_contact`, `delete crm_deal`, ...): one line each,
 * rows handled so far (sampled from the run's counters), the total where the store knows it
 * (a full publish: the entity's live records), rate and ETA.
 */
export function publishProgress(opts: ProgressOptions): {
  begin(step: string, rows: () => number, total: number | null): void
  end(step: string, failed?: boolean): void
  stop(failed?: boolean): void
} {
  const d = startProgress(opts)
  const steps = oneAtATime(d)
  let rows: () => number = () => 0 // the current step's counter
  const timer = d ? setInterval(() => steps.current !== null && d.state.update(steps.current, {records: rows()}), PUBLISH_SAMPLE_MS) : undefined
  timer?.unref()
  return {
    begin(step, counter, total) {
      steps.close(false, {records: rows()})
      rows = counter
      steps.begin(step, {estimate: total, unit: 'rows'})
    },
    end(step, failed = false) {
      if (steps.current === step) steps.close(failed, {records: rows()})
    },
    stop: once((failed = false) => {
      clearInterval(timer)
      steps.close(failed, {records: rows()})
      d?.stop()
    }),
  }
}

/** Run `work` under a started display; the display's last frame says whether it failed. */
export async function underDisplay<T>(display: {stop(failed?: boolean): void}, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work()
    display.stop()
    return result
  } catch (e) {
    display.stop(true)
    throw e
  }
}

/** A progress line of a child `crmsync sync` run with `--progress lines --log-format json`, or null for any other line. */
function childLine(line: string): ProgressLine | null {
  if (!line.startsWith('{"time"')) return null
  try {
    const v = JSON.parse(line) as Partial<ProgressLine>
    return v.event === 'progress' && typeof v.stream === 'string' && typeof v.records === 'number' && typeof v.elapsedSeconds === 'number' ? (v as ProgressLine) : null
  } catch {
    return null
  }
}

/** How often a child sync reports to the parent display (which renders at its own interval). */
const CHILD_INTERVAL = '1s'

/**
 * The display of `parity run`: its phases (legacy commands, crmsync sync, reading legacy, staging,
 * diffing, rendering) and, during the sync, the child sync's streams: the child reports as JSON
 * lines (`childArgs`), which `childLine` turns into this display's entries (`sync contacts`, ...),
 * so one display in one format shows the whole run. `print` writes the run's other log lines.
 */
export function parityRunProgress(opts: ProgressOptions): {
  onPhase(phase: string): void
  /** progress flags for the child sync */
  childArgs: string[]
  /** a stderr line of the child sync: true when it was a progress line (then shown by this display) */
  childLine(line: string): boolean
  print(line: string): void
  stop(failed?: boolean): void
} {
  const d = startProgress(opts)
  const out = opts.out ?? process.stderr
  const phases = phaseProgressOn(d)
  let waitUntil: number | null = null
  d?.state.watchRateLimit(() => waitUntil)
  return {
    onPhase: phases.onPhase,
    childArgs: d ? ['--progress', 'lines', '--log-format', 'json', '--progress-interval', CHILD_INTERVAL] : ['--progress', 'none'],
    childLine(line) {
      const v = d ? childLine(line) : null
      if (!d || !v) return false
      const key = `sync ${v.stream}`
      const at = Date.parse(v.time)
      if (!d.state.has(key)) {
        d.state.start(key, {mode: v.mode, estimate: v.total, startedAt: at - v.elapsedSeconds * 1000})
      }
      d.state.update(key, {records: v.records, requests: v.requests, phase: v.phase ?? undefined, total: v.total})
      waitUntil = v.rateLimitWaitSeconds !== null ? at + v.rateLimitWaitSeconds * 1000 : null
      if (v.state === 'done' || v.state === 'failed') {
        d.state.end(key, {failed: v.state === 'failed', at})
        d.ended(key)
      }
      return true
    },
    print: (line) => (d ? d.print(line) : out.write(`${line}\n`)),
    stop: once((failed = false) => {
      phases.close(failed)
      d?.stop()
    }),
  }
}
