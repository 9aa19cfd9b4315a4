import {describe, expect, it} from 'vitest'
import {reportProblems, windowDays} from '../../src/parity/history/gate.js'
import {historyOf, trendOf} from '../../src/parity/history/history.js'
import {renderHistoryHtml, renderHistoryMarkdown} from '../../src/parity/history/render.js'
import type {IndexEntry} from '../../src/parity/history/report-index.js'

const entry = (over: Partial<IndexEntry>): IndexEntry => ({
  runId: 'r1',
  createdAt: '2026-11-30T10:00:00.000Z',
  dir: 'r1',
  sha256: 'x',
  inputs: {legacy: 'l', mapping: 'm', source: 'portal'},
  ready: true,
  failedChecks: [],
  newRegressions: 0,
  ledger: [],
  rootCauses: [],
  ...over,
})

describe('gate rules', () => {
  it('a READY report still fails the day with a new regression (maxNewRegressions > 0) or a ledger rule expired by today', () => {
    expect(reportProblems(entry({}), '2026-12-01')).toEqual([])
    expect(reportProblems(entry({newRegressions: 2}), '2026-12-01')).toEqual(['2 new regressions'])
    expect(reportProblems(entry({ledger: [{id: 'tz', expires: '2026-11-30', expired: false}]}), '2026-12-01')).toEqual(['expired ledger rule tz (2026-11-30)'])
    expect(reportProblems(entry({ledger: [{id: 'tz', expires: '2026-12-01', expired: false}]}), '2026-12-01')).toEqual([])
    expect(reportProblems(entry({ready: false, failedChecks: ['error_rate (0.1 > 0)']}), '2026-12-01')).toEqual(['NOT READY: error_rate (0.1 > 0)'])
  })

  it('the window is N UTC calendar days ending today, across a month end', () => {
    expect(windowDays(3, new Date('2026-12-01T00:30:00+02:00'))).toEqual(['2026-11-28', '2026-11-29', '2026-11-30'])
    expect(windowDays(1, new Date('2026-12-01T23:59:59Z'))).toEqual(['2026-12-01'])
  })
})

describe('history', () => {
  it('trends: new, growing, shrinking, steady, gone', () => {
    expect([trendOf(0, 3), trendOf(3, 5), trendOf(5, 2), trendOf(2, 2), trendOf(2, 0)]).toEqual(['new', 'growing', 'shrinking', 'steady', 'gone'])
  })

  it('untrusted root cause ids and entities are escaped in html and markdown', () => {
    const bad = '<img src=x onerror=alert(1)>|x'
    const h = historyOf(
      [entry({rootCauses: [{id: bad, entity: `${bad}e`, kind: 'field', count: 2, attribution: 'legacy_defect'}]}), entry({runId: 'r2', dir: 'r2', createdAt: '2026-12-01T10:00:00.000Z'})],
      'reports',
    )
    expect(h.rootCauses[0]).toMatchObject({counts: [2, 0], trend: 'gone'})
    const html = renderHistoryHtml(h)
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('Content-Security-Policy')
    expect(renderHistoryMarkdown(h)).not.toContain('<img')
  })
})
