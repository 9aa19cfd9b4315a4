import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import {describe, expect, it} from 'vitest'
import {parseEvery} from '../../src/core/service.js'
import {parseListen} from '../../src/core/service-http.js'
import {renderMetrics, ServiceMetrics} from '../../src/core/service-metrics.js'
import type {SyncSummary} from '../../src/core/sync-runner.js'

type Family = {name: string; type: string; metrics: Array<{value: string; labels?: Record<string, string>}>}

const summary = (streams: Array<[string, number]>): SyncSummary =>
  ({
    status: 'ok',
    streams: streams.map(([stream, fetched]) => ({stream, fetched, counts: {inserted: fetched, updated: 0, unchanged: 0, deleted: 1}, requests: 2, rateLimited: 0, retries: 1, deadLetters: 0})),
  }) as unknown as SyncSummary

describe('service metrics', () => {
  it('render as Prometheus text format that a parser reads back, hostile stream names escaped', () => {
    const m = new ServiceMetrics()
    const hostile = 'evil"} crmsync_up 0\n# x\\'
    m.record(
      'ok',
      Date.now() - 1500,
      summary([
        ['contacts', 10],
        [hostile, 3],
      ]),
    )
    m.record('failed', Date.now(), null)
    m.record('ok', Date.now(), summary([['contacts', 5]]))
    const families = parsePrometheusTextFormat(renderMetrics(m)) as Family[]
    const get = (name: string) => families.find((f) => f.name === name)!
    expect(get('crmsync_up').metrics).toEqual([{value: '1'}])
    expect(get('crmsync_runs_total')).toMatchObject({
      type: 'COUNTER',
      metrics: [
        {labels: {status: 'failed'}, value: '1'},
        {labels: {status: 'ok'}, value: '2'},
      ],
    })
    expect(get('crmsync_records_fetched_total').metrics).toEqual([
      {labels: {stream: 'contacts'}, value: '15'},
      {labels: {stream: hostile}, value: '3'},
    ])
    expect(get('crmsync_consecutive_failures').metrics[0].value).toBe('0')
    expect(Number(get('crmsync_last_success_timestamp_seconds').metrics[0].value)).toBeGreaterThan(1.7e9)
    expect(families.filter((f) => f.name === 'crmsync_up')).toHaveLength(1) // the hostile name did not inject a sample
  })

  it('parses --every and --listen, refusing bad input with exit 2', () => {
    expect(parseEvery('5m')).toBe(300_000)
    expect(parseEvery('1.5s')).toBe(1500)
    expect(parseEvery('1h')).toBe(3_600_000)
    for (const bad of ['5', '0s', '500ms', '-1m', 'soon']) expect(() => parseEvery(bad), bad).toThrow(/--every/)
    expect(parseListen('127.0.0.1:9464')).toEqual({host: '127.0.0.1', port: 9464})
    expect(parseListen(':0')).toEqual({host: '127.0.0.1', port: 0})
    expect(parseListen('[::1]:80')).toEqual({host: '::1', port: 80})
    for (const bad of ['9464', 'host:', 'h:70000']) expect(() => parseListen(bad), bad).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
