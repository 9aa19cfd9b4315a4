import {describe, expect, it} from 'vitest'
import {ProgressState} from '../../src/cli/progress/stream-state.js'
import {formatSeconds, grouped, progressText} from '../../src/cli/progress/format.js'
import {resolveProgress} from '../../src/cli/progress/index.js'

describe('grouped (thousands separators without Intl)', () => {
  it('writes what Intl.NumberFormat en-US writes for integers, and rounds as it does', () => {
    const intl = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0})
    const values = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 9999, 10_000, 99_999, 100_000, 123_456, 999_999, 1_000_000, 1_234_567, 12_345_678, 2 ** 31, Number.MAX_SAFE_INTEGER, 12.4, 999.5, 1499.6]
    for (const v of values) {
      expect(grouped(v), String(v)).toBe(intl.format(v))
      expect(grouped(-v), String(-v)).toBe(intl.format(-v).replace('-0', '0'))
    }
  })
})

describe('progress state', () => {
  it('computes percentage, rate and ETA from the approximate total, and stops the time at the end', () => {
    let now = 1_000_000
    const state = new ProgressState(() => now)
    state.start('contacts', {mode: 'full', estimate: 1000})
    now += 10_000
    state.update('contacts', {records: 250, requests: 3, phase: 'full'})
    expect(state.views()[0]).toMatchObject({state: 'running', records: 250, total: 1000, percent: 25, recordsPerSecond: 25, etaSeconds: 30, elapsedSeconds: 10})
    state.end('contacts', {records: 990, requests: 11})
    now += 60_000
    const v = state.views()[0]
    expect(v).toMatchObject({state: 'done', elapsedSeconds: 10, etaSeconds: null, requests: 11})
    expect(progressText(v)).toBe('contacts: 990/~1,000 records (99%) | 99 records/s | 11 requests | full | done in 10.0s')
  })

  it('shows the rate-limit wait while a stream runs, never after it ended', () => {
    let now = 0
    const state = new ProgressState(() => now)
    state.watchRateLimit(() => 6500)
    state.start('deals')
    state.start('divisions')
    state.end('divisions')
    now = 1000
    const [deals, divisions] = state.views()
    expect(deals).toMatchObject({state: 'waiting', rateLimitWaitSeconds: 6})
    expect(progressText(deals)).toMatch(/waiting for rate limit \(6 s\)$/)
    expect(divisions).toMatchObject({state: 'done', rateLimitWaitSeconds: null})
  })

  it('never promises an ETA shorter than the rate-limit wait that holds the stream', () => {
    let now = 0
    let until: number | null = null
    const state = new ProgressState(() => now)
    state.watchRateLimit(() => until)
    state.start('contacts', {estimate: 1000})
    now = 10_000
    state.update('contacts', {records: 900})
    expect(state.views()[0]).toMatchObject({state: 'running', etaSeconds: 1})
    until = 18_000
    expect(state.views()[0]).toMatchObject({state: 'waiting', rateLimitWaitSeconds: 8, etaSeconds: 8})
    // past the estimate (archived records beyond the live count): no ETA, rather than "0s" while it waits
    state.update('contacts', {records: 1000})
    expect(state.views()[0]).toMatchObject({state: 'waiting', percent: 100, etaSeconds: null})
  })

  it('formats durations and picks the display', () => {
    expect(formatSeconds(0.04)).toBe('0.0s')
    expect(formatSeconds(80)).toBe('1m20s')
    expect(formatSeconds(7500)).toBe('2h05m')
    expect(resolveProgress({mode: 'auto', json: false}, true)).toBe('tty')
    expect(resolveProgress({mode: 'auto', json: false}, false)).toBe('lines')
    expect(resolveProgress({mode: 'auto', json: true}, false)).toBeNull()
    expect(resolveProgress({mode: 'lines', json: true}, true)).toBe('lines')
    expect(resolveProgress({mode: 'none', json: false}, true)).toBeNull()
  })
})

describe('terminal renderer', () => {
  it('prints a log line above the live frame and draws the frame again below it', async () => {
    const {ttyRenderer} = await import('../../src/cli/progress/tty-renderer.js')
    let now = 0
    const state = new ProgressState(() => now)
    state.start('contacts', {estimate: 10})
    const out: string[] = []
    const r = ttyRenderer(state, {write: (t) => out.push(t), columns: () => 100})
    r.print('first log line') // nothing drawn yet: the line, then the frame
    now = 1000
    r.print('second log line') // one frame line drawn: back over it, clear to the end, the line, the frame
    r.stop()
    const text = out.join('')
    expect(text.indexOf('first log line')).toBeLessThan(text.indexOf('contacts: 0/~10 records'))
    expect(text).toContain('\u001b[1F\u001b[0Jsecond log line\n\u001b[2Kcontacts: 0/~10 records')
  })
})
