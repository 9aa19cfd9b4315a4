/**
 * Sync progress as operators see it, against a rate-limited emulator (20 requests per 10 s):
 * - off a terminal (stderr redirected to a file, as under cron or systemd): one line per running
 *   stream every --progress-interval, one when a stream ends; JSON with --log-format json;
 * - on a pseudo-terminal (tmux): totals, percentage, rate, ETA and the rate-limit wait on screen,
 *   and a finished stream's time no longer moves.
 */
import {execFileSync, spawn} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import type {SyncSummary} from '../../src/core/sync-runner.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {progressLines} from '../helpers/progress-lines.js'
import {emulator, jsonOf, makePortal, runCli, TOKEN} from '../conformance/sync-harness.js'

let portal: string
let limited: RunningEmulator
let fast: RunningEmulator
let dir: string

beforeAll(async () => {
  portal = await makePortal({contacts: 300, deals: 60, appointments: 30, divisions: 3, seed: 12})
  limited = await emulator(portal, {rateLimit: '20/10s'})
  fast = await emulator(portal)
  dir = mkdtempSync(join(tmpdir(), 'crmsync-progress-'))
})
afterAll(async () => {
  await limited?.stop()
  await fast?.stop()
  rmSync(dir, {recursive: true, force: true})
})

/** The CLI with stderr going to a file (not a terminal); the client's own pacing on (no CRMSYNC_RATE_LIMIT). */
function syncToFile(args: string[], stderrFile: string): Promise<{code: number | null; stdout: string}> {
  const fd = openSync(stderrFile, 'w')
  const env: NodeJS.ProcessEnv = {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, NO_COLOR: '1'}
  for (const k of ['CRMSYNC_RATE_LIMIT', 'CRMSYNC_CONFIG', 'CRMSYNC_PROGRESS', 'CRMSYNC_LOG_FORMAT', 'CRMSYNC_PROGRESS_INTERVAL']) delete env[k]
  const child = spawn(process.execPath, [BIN, ...args], {cwd: ROOT, env, stdio: ['ignore', 'pipe', fd]})
  let stdout = ''
  child.stdout!.on('data', (d) => (stdout += d))
  return new Promise((done) =>
    child.on('close', (code) => {
      closeSync(fd)
      done({code, stdout})
    }),
  )
}

describe('progress off a terminal', () => {
  it('writes a JSON line per running stream every interval (never 15 s without one), the rate-limit wait, and a final line per stream', async () => {
    const err = join(dir, 'json.err')
    const started = Date.now()
    const r = await syncToFile(
      ['sync', 'all', '--db', join(dir, 'json.db'), '--base-url', limited.url, '--batch-size', '50', '--progress-interval', '1s', '--log-format', 'json', '--json', '--progress', 'lines'],
      err,
    )
    expect(r.code).toBe(0)
    const lines = progressLines(readFileSync(err, 'utf8'))
    expect(lines.every((l) => l.event === 'progress' && l.command === 'sync all')).toBe(true)
    const times = lines.map((l) => Date.parse(l.time))
    expect(times[0] - started).toBeLessThan(15_000)
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1], `gap before line ${i}`).toBeLessThan(15_000)
    // the interval is respected: two lines of a running stream are at least ~1 s apart
    for (const stream of new Set(lines.map((l) => l.stream))) {
      const running = lines.filter((l) => l.stream === stream && (l.state === 'running' || l.state === 'waiting')).map((l) => Date.parse(l.time))
      for (let i = 1; i < running.length; i++) expect(running[i] - running[i - 1]).toBeGreaterThanOrEqual(900)
    }
    const waiting = lines.filter((l) => l.state === 'waiting')
    expect(waiting.length, 'no line showed the rate-limit wait').toBeGreaterThan(0)
    expect(waiting.every((l) => typeof l.rateLimitWaitSeconds === 'number' && l.rateLimitWaitSeconds >= 1 && l.rateLimitWaitSeconds <= 10)).toBe(true)
    // the approximate total (one count request per stream), its percentage and an ETA, as on a terminal
    // one final line per stream, with the figures of the summary
    const summary = jsonOf<SyncSummary>({code: 0, signal: null, stdout: r.stdout, stderr: ''})
    const totalSeconds = (Date.now() - started) / 1000
    for (const s of summary.streams) {
      const done = lines.filter((l) => l.stream === s.stream && l.state === 'done')
      expect(done, s.stream).toHaveLength(1)
      expect(done[0]).toMatchObject({records: s.fetched, requests: s.requests})
      expect(done[0].elapsedSeconds).toBeLessThanOrEqual(totalSeconds)
    }
  })

  it('carries the approximate total, percentage and ETA (never shorter than the rate-limit wait) in the lines of a stream held by the rate limit', async () => {
    // contacts alone, 10 a page, against a fresh 20/10 s emulator: ~33 requests, so the stream waits for the second window part-way
    const own = await emulator(portal, {rateLimit: '20/10s'})
    try {
      const err = join(dir, 'totals.err')
      const r = await syncToFile(
        ['sync', 'contacts', '--db', join(dir, 'totals.db'), '--base-url', own.url, '--batch-size', '10', '--progress-interval', '1s', '--log-format', 'json', '--progress', 'lines'],
        err,
      )
      expect(r.code).toBe(0)
      const lines = progressLines(readFileSync(err, 'utf8'))
      // the count request gives live records only, the stream reads the archived ones too: approximate ("~")
      expect(
        lines.every((l) => typeof l.total === 'number' && l.total > 250 && l.total <= 300),
        'a line without the total',
      ).toBe(true)
      const held = lines.filter((l) => l.state === 'waiting' && l.records > 0)
      expect(held.length, 'no line of the stream while it waited part-way').toBeGreaterThan(0)
      for (const l of held) {
        expect(l.percent).toBe(Math.floor((l.records / l.total!) * 100))
        if (l.records < l.total!) {
          expect(l.etaSeconds).toEqual(expect.any(Number))
          expect(l.etaSeconds!).toBeGreaterThanOrEqual(l.rateLimitWaitSeconds!)
        } else expect(l.etaSeconds, 'an ETA past the estimate').toBeNull() // the archived sweep, beyond the live count
      }
      expect(lines.at(-1)).toMatchObject({state: 'done', records: 300, percent: 100, etaSeconds: null})
    } finally {
      await own.stop()
    }
  })

  it('writes human lines by default and nothing with --progress none', async () => {
    const text = join(dir, 'text.err')
    const r = await syncToFile(['sync', 'contacts', '--db', join(dir, 'text.db'), '--base-url', fast.url], text)
    expect(r.code).toBe(0)
    expect(readFileSync(text, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\S+Z sync contacts contacts: 300\/~\d+ records \(100%\) \| [\d,]+ records\/s \| \d+ requests \| .*done in \d+\.\ds$/m)
    const none = join(dir, 'none.err')
    const q = await syncToFile(['sync', 'contacts', '--db', join(dir, 'none.db'), '--base-url', fast.url, '--progress', 'none'], none)
    expect(q.code).toBe(0)
    expect(readFileSync(none, 'utf8')).toBe('')
  })

  it('refuses a bad --progress-interval (exit 2)', async () => {
    const r = await runCli(['sync', 'contacts', '--db', join(dir, 'never.db'), '--base-url', fast.url, '--progress-interval', 'soon'], {})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--progress-interval "soon" is not a duration/)
  })
})

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

describe('progress on a terminal', () => {
  const tmux = hasTmux()
  if (!tmux && process.env.CI === 'true') throw new Error('tmux is needed for the terminal progress test (apt-get install tmux)')
  it.skipIf(!tmux)('shows totals, percentage, rate, ETA and the rate-limit wait; a finished stream keeps its final time', async () => {
    const socket = `crmsync-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const t = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'})
    const db = join(dir, 'tty.db')
    const cmd = `${process.execPath} ${BIN} sync all --db ${db} --base-url ${limited.url} --batch-size 20; echo CRMSYNC-EXIT=$?; sleep 600`
    try {
      t('new-session', '-d', '-s', 'p', '-x', '160', '-y', '24', '-e', `HUBSPOT_ACCESS_TOKEN=${TOKEN}`, '-e', 'CRMSYNC_RATE_LIMIT=', '-e', 'CRMSYNC_PROGRESS=', `cd ${ROOT} && ${cmd}`)
      const frames: string[] = []
      for (let i = 0; i < 600; i++) {
        const screen = t('capture-pane', '-p', '-t', 'p')
        frames.push(screen)
        if (screen.includes('CRMSYNC-EXIT=')) break
        await sleep(200)
      }
      const last = frames[frames.length - 1]
      expect(last).toContain('CRMSYNC-EXIT=0')
      const all = frames.join('\n')
      expect(all).toMatch(/contacts: [\d,]+\/~[\d,]+ records \(\d+%\)/) // total (approximate) and percentage
      expect(all).toMatch(/\d+ records\/s/)
      expect(all).toMatch(/ETA \d+/)
      expect(all).toMatch(/waiting for rate limit \(\d+ s\)/)
      // once a stream is done its line (and its time) stays the same in every later frame
      const lineOf = (frame: string, stream: string) => frame.split('\n').find((l) => l.startsWith(`${stream}: `))
      let checked = 0
      for (const stream of ['deals', 'appointments', 'divisions', 'contacts']) {
        const first = frames.findIndex((f) => / done in /.test(lineOf(f, stream) ?? ''))
        expect(first, `${stream} never shown done`).toBeGreaterThanOrEqual(0)
        const finalLine = lineOf(frames[first], stream)
        for (const f of frames.slice(first + 1)) {
          const l = lineOf(f, stream)
          if (l !== undefined) {
            expect(l).toBe(finalLine)
            checked++
          }
        }
      }
      expect(checked, 'no frame after a stream ended').toBeGreaterThan(3)
    } finally {
      try {
        t('kill-server')
      } catch {
        // already gone
      }
    }
  })
})
