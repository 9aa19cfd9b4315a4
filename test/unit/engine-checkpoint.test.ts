import {describe, expect, it} from 'vitest'
import {begin, compareKeys, CursorLoopError, next, parseCheckpoint, type ObjectCheckpoint} from '../../src/core/checkpoint.js'
import {compareIds} from '../../src/core/ids.js'
import {parseSince} from '../../src/core/timestamps.js'

const facts = (o: Partial<Parameters<typeof next>[1]> = {}) => ({after: null, last: null, maxTs: null, count: 0, limit: 100, ...o})

describe('checkpoint reducer', () => {
  it('starts a full run without a checkpoint, and an incremental one from cursor - lookback after a finished run', () => {
    expect(begin(null, {full: false, since: null, lookbackMs: 1000}).phase).toBe('full')
    const done: ObjectCheckpoint = {v: 1, phase: 'done', after: null, key: null, maxTs: null, startTs: null, cursorTs: 50_000, pages: 3}
    const inc = begin(done, {full: false, since: null, lookbackMs: 1000})
    expect(inc).toMatchObject({phase: 'search', key: {ts: 49_000, id: null}, cursorTs: 50_000})
    expect(begin(done, {full: true, since: null, lookbackMs: 1000}).phase).toBe('full')
    expect(begin(done, {full: false, since: 7, lookbackMs: 1000}).key).toEqual({ts: 7, id: null})
  })

  it('resumes a run in progress', () => {
    const mid: ObjectCheckpoint = {v: 1, phase: 'full', after: '300', key: null, maxTs: 5, startTs: 9, cursorTs: null, pages: 3}
    expect(begin(mid, {full: false, since: null, lookbackMs: 0})).toBe(mid)
    expect(parseCheckpoint(JSON.parse(JSON.stringify(mid)))).toEqual(mid)
    expect(parseCheckpoint({foo: 1})).toBeNull()
  })

  it('walks full → full-archived → done, committing min(start time, max modified) as the cursor', () => {
    let cp = begin(null, {full: false, since: null, lookbackMs: 0})
    cp = next(cp, facts({after: '100', maxTs: 500, count: 100, serverTime: 1000}))
    expect(cp).toMatchObject({phase: 'full', after: '100', maxTs: 500, startTs: 1000})
    cp = next(cp, facts({after: null, maxTs: 2000, count: 10}))
    expect(cp).toMatchObject({phase: 'full-archived', after: null})
    cp = next(cp, facts({after: null, count: 0}))
    expect(cp).toMatchObject({phase: 'done', cursorTs: 1000})
  })

  it('walks search by keyset, then the archived sweep, and keeps the larger cursor', () => {
    const done: ObjectCheckpoint = {v: 1, phase: 'done', after: null, key: null, maxTs: null, startTs: null, cursorTs: 100, pages: 0}
    let cp = begin(done, {full: false, since: null, lookbackMs: 10})
    cp = next(cp, facts({last: {ts: 120, id: '5'}, maxTs: 120, count: 200, limit: 200}))
    expect(cp).toMatchObject({phase: 'search', key: {ts: 120, id: '5'}})
    cp = next(cp, facts({last: {ts: 130, id: '2'}, maxTs: 130, count: 3, limit: 200}))
    expect(cp.phase).toBe('archived')
    cp = next(cp, facts({count: 0}))
    expect(cp).toMatchObject({phase: 'done', cursorTs: 130})
  })

  it('detects a cursor that does not advance', () => {
    const s: ObjectCheckpoint = {v: 1, phase: 'search', after: null, key: {ts: 10, id: '9'}, maxTs: null, startTs: null, cursorTs: null, pages: 0}
    expect(() => next(s, facts({last: {ts: 10, id: '9'}, count: 200, limit: 200}))).toThrow(CursorLoopError)
    expect(() => next(s, facts({last: {ts: 10, id: '8'}, count: 200, limit: 200}))).toThrow(CursorLoopError)
    expect(() => next(s, facts({last: null, count: 200, limit: 200}))).toThrow(CursorLoopError)
    const l: ObjectCheckpoint = {...s, phase: 'full', after: '200', key: null}
    expect(() => next(l, facts({after: '200', count: 100}))).toThrow(CursorLoopError)
  })

  it('orders ids numerically beyond 2^53 and keys by (ts, id)', () => {
    expect(compareIds('9', '10')).toBe(-1)
    expect(compareIds('90071992547409931', '90071992547409932')).toBe(-1)
    expect(compareKeys({ts: 1, id: null}, {ts: 1, id: '1'})).toBe(-1)
    expect(compareKeys({ts: 2, id: '1'}, {ts: 1, id: '9'})).toBe(1)
  })

  it('parses --since as a date or an ISO time, and rejects anything else', () => {
    expect(parseSince('2026-01-31')).toBe(Date.parse('2026-01-31T00:00:00Z'))
    expect(parseSince('2026-01-31T12:00:00+01:00')).toBe(Date.parse('2026-01-31T11:00:00Z'))
    for (const bad of ['2026-02-30', 'yesterday', '2026-01-31T12', '']) expect(parseSince(bad)).toBeNull()
  })
})
