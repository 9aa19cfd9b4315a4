/** Child processes of `crmsync parity run`: timed, output relayed line by line to stderr with a label. */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

/** What a finished child process reports. */
export interface CommandResult {
  /** exit code, or null when killed by a signal */
  code: number | null
  signal: NodeJS.Signals | null
  seconds: number
  timedOut: boolean
}

export interface CommandOptions {
  cwd: string
  /** complete environment of the child */
  env: NodeJS.ProcessEnv
  /** prefix of relayed output lines, e.g. "crmsync sync" */
  label: string
  timeoutMs?: number
  /** aborting kills the child (SIGTERM) */
  signal?: AbortSignal
  /** where relayed lines go (default: process.stderr) */
  write?: (line: string) => void
  /** sees each stderr line first, unlabelled: true keeps it from being relayed (a progress line a display shows) */
  intercept?: (line: string) => boolean
}

/**
 * Run `command` (a shell string, or an argv array run without a shell), relaying its stdout and
 * stderr to `write` prefixed with the label, and time it with a monotonic clock.
 */
export function runCommand(command: string | string[], opts: CommandOptions): Promise<CommandResult> {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const started = process.hrtime.bigint()
  // own process group, so that a timeout or an abort stops a shell command's children too
  const child = Array.isArray(command)
    ? spawn(command[0], command.slice(1), {cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    : spawn(command, {cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], shell: true, detached: true})
  const stop = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM')
    } catch {
      child.kill('SIGTERM')
    }
  }
  createInterface({input: child.stdout, crlfDelay: Infinity}).on('line', (line) => write(`  [${opts.label}] ${line}`))
  createInterface({input: child.stderr, crlfDelay: Infinity}).on('line', (line) => {
    if (!opts.intercept?.(line)) write(`  [${opts.label}] ${line}`)
  })
  let timedOut = false
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true
        stop()
      }, opts.timeoutMs)
    : undefined
  const onAbort = (): void => stop()
  if (opts.signal?.aborted) onAbort()
  else opts.signal?.addEventListener('abort', onAbort, {once: true})
  return new Promise((resolvePromise) => {
    let done = false
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      resolvePromise({code, signal, timedOut, seconds: Number(process.hrtime.bigint() - started) / 1e9})
    }
    child.on('error', (err) => {
      write(`  [${opts.label}] could not start: ${err.message}`)
      finish(127, null)
    })
    child.on('close', (code, signal) => finish(code, signal))
  })
}

/** The crmsync package root (folder with bin/run.js), from this module's location in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'bin', 'run.js')) && existsSync(join(dir, 'package.json'))) return dir
    dir = dirname(dir)
  }
  throw new Error('cannot find the crmsync package root (bin/run.js) from ' + fileURLToPath(import.meta.url))
}
