import {describe, expect, it} from 'vitest'
import {attributeEdge, attributeField, attributeMissingInLegacy, attributeMissingInNew, sourceFacts} from '../../src/parity/attribution.js'
import {JsonArrayError, splitJsonArray} from '../../src/parity/readers/json-array-splitter.js'
import {redactUrl} from '../../src/core/redact-url.js'
import {corrupt} from '../../src/parity/simulator-plan.js'
import {decideVerdict} from '../../src/parity/verdict.js'

async function split(chunks: string[]): Promise<string[]> {
  const out: string[] = []
  async function* gen() {
    yield* chunks
  }
  for await (const b of splitJsonArray(gen())) out.push(...b)
  return out
}

describe('streaming JSON array splitter', () => {
  const text = '[\n {"model": "crm.contact", "pk": 1, "fields": {"email": "a]}\\"b", "n": [1, {"x": "}"}]}},\n{"model":"crm.deal","pk":2,"fields":{}}\n]\n'
  it('cuts elements at any chunk boundary, with brackets and escaped quotes inside strings', async () => {
    const whole = await split([text])
    expect(whole.map((t) => JSON.parse(t).pk)).toEqual([1, 2])
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = []
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size))
      expect(await split(chunks)).toEqual(whole)
    }
    expect(await split(['[]'])).toEqual([])
  })
  it('reports truncation, garbage and non-arrays with a position', async () => {
    await expect(split([text.slice(0, 40)])).rejects.toThrow(/not closed/)
    await expect(split(['{"a": 1}'])).rejects.toThrow(JsonArrayError)
    await expect(split(['[{"a":1} {"b":2}]'])).rejects.toThrow(/expected "," or "]" .* at character 9/)
    await expect(split(['[1, 2]'])).rejects.toThrow(/expected an object/)
    await expect(split(['[{}] x'])).rejects.toThrow(/after the end of the array/)
    await expect(split([''])).rejects.toThrow(/empty/)
  })
})

describe('three-way attribution', () => {
  const at = Date.parse('2025-06-01T00:00:00Z')
  const live = sourceFacts({archived: false, modifiedAt: '2025-05-01T00:00:00Z', createdAt: '2025-01-01T00:00:00Z', archivedAt: null}, at)
  const changed = sourceFacts({archived: false, modifiedAt: '2025-07-01T00:00:00Z', createdAt: '2025-01-01T00:00:00Z', archivedAt: null}, at)
  const created = sourceFacts({archived: false, modifiedAt: '2025-07-01T00:00:00Z', createdAt: '2025-07-01T00:00:00Z', archivedAt: null}, at)
  const archived = sourceFacts({archived: true, modifiedAt: '2025-05-01T00:00:00Z', createdAt: '2025-01-01T00:00:00Z', archivedAt: '2025-05-01T00:00:00Z'}, at)
  const absent = sourceFacts(undefined, at)
  it('fields: who equals the source, unless the record changed after the legacy snapshot', () => {
    expect(attributeField(true, live, false, true)).toBe('legacy_defect')
    expect(attributeField(true, live, true, false)).toBe('new_regression')
    expect(attributeField(true, live, false, false)).toBe('both_wrong')
    expect(attributeField(true, changed, false, true)).toBe('changed_at_source')
    expect(attributeField(false, live, false, true)).toBe('unattributed')
    expect(attributeField(true, absent, false, true)).toBe('unattributed')
  })
  it('missing records and edges', () => {
    expect(attributeMissingInNew(true, live)).toBe('new_regression')
    expect(attributeMissingInNew(true, archived)).toBe('legacy_defect')
    expect(attributeMissingInNew(true, absent)).toBe('legacy_defect')
    expect(attributeMissingInLegacy(true, live, false)).toBe('legacy_defect')
    expect(attributeMissingInLegacy(true, created, false)).toBe('changed_at_source')
    expect(attributeMissingInLegacy(true, absent, false)).toBe('new_regression')
    expect(attributeEdge(true, live, 'missing', true)).toBe('legacy_defect')
    expect(attributeEdge(true, live, 'missing', false)).toBe('new_regression')
    expect(attributeEdge(true, live, 'extra', true)).toBe('new_regression')
    expect(attributeEdge(true, live, 'extra', false)).toBe('legacy_defect')
    expect(attributeEdge(true, changed, 'extra', false)).toBe('changed_at_source')
  })
})

describe('verdict', () => {
  const entity = (name: string, rate: number) => ({entity: name, unexplainedMismatchRate: rate}) as never
  const totals = (nr: number) => ({attribution: {new_regression: nr}}) as never
  const cfg = {maxNewRegressions: 0, maxUnexplainedMismatchRate: {contacts: 0.05, '*': 0}, maxErrorRate: 0.01, minPerformanceRatio: 1}
  it('READY only when every threshold holds, with a reason per check', () => {
    const ok = decideVerdict(cfg, {totals: totals(0), entities: [entity('contacts', 0.04), entity('deals', 0)], errors: [], performance: {ratio: 1.5}}, 0, 100)
    expect(ok.ready).toBe(true)
    expect(ok.reasons.map((r) => r.check)).toEqual(['new_regressions', 'unexplained_mismatch_rate:contacts', 'unexplained_mismatch_rate:deals', 'error_rate', 'performance_ratio'])
    const bad = decideVerdict(cfg, {totals: totals(1), entities: [entity('contacts', 0.06), entity('deals', 0.001)], errors: [], performance: {ratio: 0.5}}, 2, 100)
    expect(bad.ready).toBe(false)
    expect(bad.reasons.filter((r) => !r.ok).map((r) => r.check)).toEqual([
      'new_regressions',
      'unexplained_mismatch_rate:contacts',
      'unexplained_mismatch_rate:deals',
      'error_rate',
      'performance_ratio',
    ])
  })
})

describe('redactUrl', () => {
  it('never shows a password', () => {
    expect(redactUrl('postgres://u:s3cret@h:5432/db?schema=x')).toBe('postgres://u:***@h:5432/db?schema=x')
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db')
  })
})

describe('simulator corruption', () => {
  it('makes legacy (x), new (y) and baseline (z) values that differ from the original and from each other where they meet', () => {
    for (const [field, v] of [
      ['stage', 'appointmentscheduled'],
      ['stage', 'closedwon'],
      ['email', 'a@b.c'],
      ['amount', '12.50'],
      ['close_date', '2025-07-07'],
      ['hs_created_at', '2025-07-07T14:03:11Z'],
      ['starts_at', '2025-07-07T14:03:11.120Z'],
    ] as const) {
      const [x, y, z] = (['x', 'y', 'z'] as const).map((salt) => corrupt(field, v, salt))
      expect([x, y, z]).not.toContain(v)
      expect(x).not.toBe(y)
      expect(x).not.toBe(z)
    }
    expect(corrupt('stage', 'closedwon', 'x')).toBe('appointmentscheduled')
  })
})
