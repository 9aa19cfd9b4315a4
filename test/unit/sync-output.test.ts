import {describe, expect, it} from 'vitest'
import type {StreamResult} from '../../src/core/metrics.js'
import {summaryTable} from '../../src/core/sync-output.js'

const stream = (name: string, o: Partial<StreamResult> = {}): StreamResult => ({
  stream: name,
  entity: name,
  status: 'ok',
  fetched: 1_000_000,
  counts: {inserted: 999_000, updated: 500, unchanged: 400, deleted: 100},
  requests: 10_010,
  searchRequests: 0,
  rateLimited: 0,
  retries: 0,
  deadLetters: 0,
  pages: 10_000,
  seconds: 526.1,
  recordsPerSecond: 1901,
  ...o,
})

describe('sync summary table', () => {
  it('fits 100 columns for a 1M-record run (with search requests too) and names the columns left out because they are 0 everywhere', () => {
    expect(
      summaryTable([stream('contacts', {searchRequests: 5000}), stream('associations')])
        .split('\n')
        .every((l) => l.length <= 100),
    ).toBe(true)
    const t = summaryTable([stream('contacts'), stream('appointments', {fetched: 20, requests: 3})])
    const lines = t.split('\n')
    expect(lines[0].split(/ {2,}/)).toEqual(['stream', 'status', 'fetched', 'new', 'updated', 'same', 'deleted', 'reqs', 'time', 'rec/s'])
    expect(lines[1]).toMatch(/^contacts +ok +1000000 +999000 +500 +400 +100 +10010 +8m46s +1901$/)
    expect(lines.at(-1)).toBe('no search requests, 429s, retries or dead letters in any stream')
    expect(lines.every((l) => l.length <= 100)).toBe(true)
  })

  it('fits 100 columns with search, 429 and retry columns for a small run (the README walkthrough)', () => {
    const small = {fetched: 4435, counts: {inserted: 0, updated: 0, unchanged: 3716, deleted: 0}, requests: 27, seconds: 1.36, recordsPerSecond: 3265}
    const t = summaryTable([stream('appointments', {...small, searchRequests: 1, rateLimited: 1, retries: 1}), stream('associations', small)])
    expect(t.split('\n').every((l) => l.length <= 100)).toBe(true)
  })

  it('shows a column as soon as one stream has a non-zero figure in it', () => {
    const t = summaryTable([stream('contacts', {searchRequests: 7, deadLetters: 2}), stream('deals')])
    const [head, contacts, deals] = t.split('\n')
    expect(head.split(/ {2,}/)).toEqual(['stream', 'status', 'fetched', 'new', 'updated', 'same', 'deleted', 'reqs', 'search', 'dead', 'time', 'rec/s'])
    expect(contacts).toMatch(/ 10010 +7 +2 +8m46s/)
    expect(deals).toMatch(/ 10010 +0 +0 +8m46s/)
    expect(t.split('\n').at(-1)).toBe('no 429s or retries in any stream')
  })
})
