/**
 * `crmsync sync status` on the demo store (fixtures/demo/portal synced through the emulator) fits
 * 100 columns with readable cursors and per-stream figures of the last run, and `--metrics-file`
 * writes Prometheus text that a Prometheus text-format parser reads back with the run's own figures.
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import type {SyncStatusResult} from '../../src/core/store-port.js'
import type {SyncSummary} from '../../src/core/sync-runner.js'
import {emulator, jsonOf, ROOT, runCli, tempDir} from '../conformance/sync-harness.js'
import {flatten} from '../helpers/cli.js'

let emu: RunningEmulator
let dir: string
let db: string
let metrics: string
let first: SyncSummary
let second: SyncSummary

interface Family {
  name: string
  type: string
  metrics: Array<{value: string; labels?: Record<string, string>}>
}

function families(file: string): Map<string, Family> {
  return new Map((parsePrometheusTextFormat(readFileSync(file, 'utf8')) as Family[]).map((f) => [f.name, f]))
}

function sample(f: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const fam = f.get(name)
  expect(fam, `metric ${name} missing`).toBeDefined()
  const m = fam!.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v))
  expect(m, `${name}${JSON.stringify(labels)} missing`).toBeDefined()
  return Number(m!.value)
}

beforeAll(async () => {
  emu = await emulator(join(ROOT, 'fixtures/demo/portal'))
  dir = tempDir('crmsync-status-')
  db = join(dir, 'demo.db')
  metrics = join(dir, 'crmsync.prom')
  const a = await runCli(['sync', 'all', '--db', db, '--base-url', emu.url, '--metrics-file', metrics, '--json'], {})
  expect(a.code, a.stderr).toBe(0)
  first = jsonOf<SyncSummary>(a)
  emu.mutate({kind: 'create', entity: 'contacts', properties: {email: 'status@example.com'}})
  const b = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url, '--json'], {})
  expect(b.code, b.stderr).toBe(0)
  second = jsonOf<SyncSummary>(b)
})
afterAll(async () => {
  await emu?.stop()
})

describe('sync status', () => {
  it('fits 100 columns for the demo store, with the mode, duration and requests of each stream and a readable cursor', async () => {
    const r = await runCli(['sync', 'status', '--db', db], {})
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    for (const line of lines) expect(line.length, `too wide: ${line}`).toBeLessThanOrEqual(100)
    const row = (stream: string) => lines.find((l) => l.startsWith(`${stream} `))!
    // contacts: last run incremental (the second sync), deals: full (the first)
    expect(row('contacts')).toMatch(/^contacts\s+ok \d+s ago\s+incremental\s+\d+\.\d+s\s+\d+\s+\d+\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/)
    expect(row('deals')).toMatch(/\sfull\s/)
    const deals = first.streams.find((s) => s.stream === 'deals')!
    const contacts = second.streams.find((s) => s.stream === 'contacts')!
    expect(row('deals').split(/\s{2,}/)[5]).toBe(String(deals.requests)) // that stream's own requests, not the run's
    expect(row('contacts').split(/\s{2,}/)[5]).toBe(String(contacts.requests))
    expect(r.stdout).not.toMatch(/\{"v":1/) // no raw JSON cursor
  })

  it('--wide shows every figure; --json keeps its fields and adds the readable cursor and per-stream figures', async () => {
    const wide = await runCli(['sync', 'status', '--db', db, '--wide'], {})
    expect(wide.code, wide.stderr).toBe(0)
    expect(wide.stdout).toMatch(/tombstones/)
    expect(wide.stdout).toMatch(/429s/)
    const json = await runCli(['sync', 'status', '--db', db, '--json'], {})
    const status = jsonOf<SyncStatusResult>(json)
    const c = status.streams.find((s) => s.stream === 'contacts')!
    expect(c.cursor).toMatchObject({v: 1, phase: 'done'}) // as stored, unchanged
    expect(c.cursorAt).toBe(new Date((c.cursor as {cursorTs: number}).cursorTs).toISOString())
    expect(c.lastRun).toMatchObject({command: 'sync contacts', requests: second.totals.requests, stream: {mode: 'incremental', requests: second.streams[0].requests, inserted: 1}})
    expect(status.lastSuccess?.id).toBe(second.runId)
  })
})

describe('--metrics-file', () => {
  it('writes Prometheus text format whose values equal the run summary', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.prom.'))).toEqual([]) // no temp file left behind
    const f = families(metrics)
    for (const s of first.streams) {
      const labels = {command: 'sync all', stream: s.stream}
      expect(sample(f, 'crmsync_sync_records', {...labels, outcome: 'fetched'})).toBe(s.fetched)
      expect(sample(f, 'crmsync_sync_records', {...labels, outcome: 'inserted'})).toBe(s.counts.inserted)
      expect(sample(f, 'crmsync_sync_records', {...labels, outcome: 'deleted'})).toBe(s.counts.deleted)
      expect(sample(f, 'crmsync_sync_records', {...labels, outcome: 'dead_letter'})).toBe(s.deadLetters)
      expect(sample(f, 'crmsync_sync_requests', labels)).toBe(s.requests)
      expect(sample(f, 'crmsync_sync_rate_limited', labels)).toBe(s.rateLimited)
      expect(sample(f, 'crmsync_sync_retries', labels)).toBe(s.retries)
      expect(sample(f, 'crmsync_sync_stream_duration_seconds', labels)).toBeCloseTo(s.seconds, 2)
    }
    expect(sample(f, 'crmsync_sync_duration_seconds', {command: 'sync all'})).toBeCloseTo(first.seconds, 2)
    expect(sample(f, 'crmsync_sync_last_run_status', {status: 'ok'})).toBe(1)
    expect(sample(f, 'crmsync_sync_last_run_status', {status: 'failed'})).toBe(0)
    const ended = sample(f, 'crmsync_sync_last_run_timestamp_seconds', {})
    expect(sample(f, 'crmsync_sync_last_success_timestamp_seconds', {})).toBe(ended)
    // cursor lag = run end - high-water mark, per object stream
    const mark = sample(f, 'crmsync_sync_high_water_mark_timestamp_seconds', {stream: 'contacts'})
    expect(sample(f, 'crmsync_sync_cursor_lag_seconds', {stream: 'contacts'})).toBeCloseTo(ended - mark, -1)
    for (const fam of f.values()) expect(fam.type).toBe('GAUGE')
  })

  it('is written for a failed run too, keeping the last success time from the store', async () => {
    const file = join(dir, 'failed.prom')
    writeFileSync(file, 'stale\n')
    const r = await runCli(['sync', 'contacts', '--db', db, '--base-url', emu.url, '--metrics-file', file], {HUBSPOT_ACCESS_TOKEN: 'wrong-token-abcdef'})
    expect(r.code).toBe(1)
    const f = families(file)
    expect(sample(f, 'crmsync_sync_last_run_status', {status: 'failed'})).toBe(1)
    expect(sample(f, 'crmsync_sync_last_run_status', {status: 'ok'})).toBe(0)
    const status = jsonOf<SyncStatusResult>(await runCli(['sync', 'status', '--db', db, '--json'], {}))
    expect(sample(f, 'crmsync_sync_last_success_timestamp_seconds', {})).toBe(Math.floor(Date.parse(status.lastSuccess!.finishedAt!) / 1000))
    expect(readFileSync(file, 'utf8')).not.toContain('wrong-token-abcdef')
  })

  it('refuses a folder that does not exist before syncing (exit 2)', async () => {
    const r = await runCli(['sync', 'contacts', '--db', join(dir, 'never.db'), '--base-url', emu.url, '--metrics-file', join(dir, 'no/such/dir/m.prom')], {})
    expect(r.code).toBe(2)
    expect(flatten(r.stderr)).toMatch(/--metrics-file.*does not exist/)
    expect(readdirSync(dir)).not.toContain('never.db')
  })
})
