/**
 * `crmsync serve`: validates the flags, loads the portal, serves it on 127.0.0.1 until SIGINT or
 * SIGTERM, then stops cleanly. Bad flags and a missing or corrupt portal are usage errors (exit 2);
 * a port in use is a runtime failure (exit 1) whose message names `--port 0`.
 */
import {createWriteStream, existsSync, type WriteStream} from 'node:fs'
import {dirname} from 'node:path'
import {CrmsyncError, UsageError} from '../core/errors.js'
import {parseFaults} from './faults.js'
import {emptyStats} from './context.js'
import {startEmulator, type EmulatorStats} from './index.js'
import {parseRate, SpecError} from './rate-limit.js'
import {PortInUseError} from './server.js'
import type {EmulatorOptions} from './types.js'

export interface ServeOptions {
  portal: string
  port: number
  rateLimit?: string
  searchRate?: string
  dailyLimit?: number
  faults?: string
  token?: string
  seed?: number
  associationPageSize?: number
  denyScopes?: string[]
  retryAfter?: boolean
  /** request log file: one JSON line per request `{method, path, status, ms}` */
  log?: string
}

export interface ServeResult {
  url: string
  port: number
  stoppedBy: string
  stats: EmulatorStats
}

/** Checks every flag before anything is loaded; SpecError → UsageError naming the flag. */
export function toEmulatorOptions(o: ServeOptions): EmulatorOptions {
  try {
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new UsageError(`--port must be 0..65535, got ${o.port}.`, 'Pass e.g. --port 8080, or --port 0 for a free port.', 'BAD_FLAG')
    if (o.rateLimit !== undefined) parseRate(o.rateLimit, '--rate-limit', true)
    if (o.searchRate !== undefined) parseRate(o.searchRate, '--search-rate', true)
    if (o.dailyLimit !== undefined && (!Number.isInteger(o.dailyLimit) || o.dailyLimit < 1))
      throw new UsageError(`--daily-limit must be a positive whole number, got ${o.dailyLimit}.`, 'Pass e.g. --daily-limit 250000.', 'BAD_FLAG')
    if (o.associationPageSize !== undefined && (!Number.isInteger(o.associationPageSize) || o.associationPageSize < 1)) {
      throw new UsageError(`--association-page-size must be a positive whole number, got ${o.associationPageSize}.`, 'Pass e.g. --association-page-size 500 (HubSpot’s page size).', 'BAD_FLAG')
    }
    if (o.token !== undefined && o.token.trim() === '') throw new UsageError('--token is empty.', 'Pass the token clients must send, or leave --token out to accept any bearer token.', 'BAD_FLAG')
    parseFaults(o.faults, o.seed)
  } catch (err) {
    if (err instanceof SpecError) throw new UsageError(err.message, 'Fix the flag value; `crmsync serve --help` lists the accepted forms.', 'BAD_FLAG')
    throw err
  }
  if (o.log !== undefined && (o.log.trim() === '' || !existsSync(dirname(o.log))))
    throw new UsageError(`--log ${o.log}: its folder does not exist.`, 'Pass a file in an existing folder, e.g. --log .tmp/requests.ndjson.', 'BAD_FLAG')
  if (!existsSync(o.portal))
    throw new UsageError(`Portal folder ${o.portal} does not exist.`, 'Create one with `crmsync portal generate --out DIR` or `crmsync portal record --out DIR`.', 'PORTAL_MISSING')
  return {
    portalDir: o.portal,
    port: o.port,
    rateLimit: o.rateLimit,
    searchRate: o.searchRate,
    dailyLimit: o.dailyLimit,
    faults: o.faults,
    token: o.token,
    seed: o.seed,
    associationPageSize: o.associationPageSize,
    deniedScopes: o.denyScopes,
    retryAfter: o.retryAfter,
  }
}

/** Serves until SIGINT/SIGTERM (or `until` resolves). `onListening` gets the URL once it accepts requests. */
export async function serve(o: ServeOptions, onListening: (url: string, port: number) => void, until?: Promise<string>): Promise<ServeResult> {
  const opts = toEmulatorOptions(o)
  // signals stop the load too (a million records take a while): the temporary SQLite file goes with it
  const loading = new AbortController()
  let stop: (why: string) => void = () => {}
  const stopped = new Promise<string>((resolve) => (stop = resolve))
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM'] as NodeJS.Signals[]).map((sig) => [
    sig,
    () => {
      loading.abort(sig)
      stop(sig)
    },
  ])
  for (const [sig, h] of handlers) process.once(sig, h)
  until?.then(stop, () => stop('error'))
  let log: WriteStream | undefined
  try {
    let emu
    try {
      if (o.log !== undefined) log = createWriteStream(o.log, {flags: 'w', mode: 0o600})
      const sink = log
      emu = await startEmulator({...opts, signal: loading.signal, ...(sink ? {requestLog: (e) => void sink.write(`${JSON.stringify(e)}\n`)} : {})})
    } catch (err) {
      if (loading.signal.aborted) return {url: '', port: 0, stoppedBy: String(loading.signal.reason), stats: emptyStats()}
      if (err instanceof PortInUseError) {
        throw new CrmsyncError(`${err.message} Another process (perhaps another crmsync serve) is listening there.`, {
          exit: 1,
          suggestion: 'Stop that process, choose another --port, or pass --port 0 to pick a free port.',
          code: 'PORT_IN_USE',
        })
      }
      if (err instanceof SpecError) throw new UsageError(err.message, 'Fix the --faults value; see docs/emulator.md.', 'BAD_FLAG')
      throw err
    }
    onListening(emu.url, emu.port)
    const stoppedBy = await stopped
    await emu.stop()
    return {url: emu.url, port: emu.port, stoppedBy, stats: emu.stats}
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h)
    if (log) await new Promise<void>((done) => log!.end(done))
  }
}
