/**
 * The `segment` rule (src/parity/diagnosis/segments.ts, docs/parity.md#segment) at its boundaries:
 * the share thresholds, the minimum set size, absence, nested vs disjoint sets, the bounds
 * (high-cardinality and long values, the property cap), and the `property-is` ledger predicate.
 */
import {describe, expect, it} from 'vitest'
import {findSegment, Population, SEGMENT_MAX_PROPERTIES, SEGMENT_MAX_VALUES, SegmentSet} from '../../src/parity/diagnosis/segments.js'
import {Ledger} from '../../src/parity/ledger.js'
import {validateMapping} from '../../src/parity/mapping/load.js'

/** A disjoint case: `inSet` differing records, `others` other records; `k` of the differing and `j` of the others have stage = "x". */
function disjoint(inSet: number, k: number, others: number, j: number, extra: (i: number) => Record<string, string | null> = () => ({})) {
  const set = new SegmentSet()
  const pop = new Population()
  for (let i = 0; i < inSet; i++) set.add({stage: i < k ? 'x' : 'y', ...extra(i)}, 'legacy_defect', () => ({key: `d${i}`, legacy: null, new: null}))
  for (let i = 0; i < others; i++) pop.add({stage: i < j ? 'x' : 'y', ...extra(i + inSet)})
  return {set, pop}
}

describe('findSegment', () => {
  it('finds a value at exactly 80 % of the differing and 20 % of the others, with lift against all records', () => {
    const {set, pop} = disjoint(20, 16, 100, 20)
    expect(findSegment(set, pop, false)).toEqual({
      property: 'stage',
      value: 'x',
      count: 16,
      differences: 16,
      differing: 20,
      others: 100,
      shareInDiffering: 0.8,
      shareInOthers: 0.2,
      lift: Math.round((0.8 / (36 / 120)) * 100) / 100,
      example: {key: 'd0', legacy: null, new: null},
      attribution: {legacy_defect: 16},
    })
  })

  it('no segment just past each threshold: 15 of 20 differing, 21 of 100 others, or only 19 differing', () => {
    expect(findSegment(disjoint(20, 15, 100, 0).set, disjoint(20, 15, 100, 0).pop, false)).toBeUndefined()
    const b = disjoint(20, 16, 100, 21)
    expect(findSegment(b.set, b.pop, false)).toBeUndefined()
    const c = disjoint(19, 19, 100, 0)
    expect(findSegment(c.set, c.pop, false)).toBeUndefined()
  })

  it('nested: the differing records are part of the population (their counts are subtracted from it)', () => {
    const set = new SegmentSet()
    const pop = new Population()
    // 100 records: 30 with stage x, 25 of them differ (plus 5 others with y)
    for (let i = 0; i < 100; i++) {
      const p = {stage: i < 30 ? 'x' : 'y'}
      pop.add(p)
      if (i < 25 || (i >= 30 && i < 35)) set.add(p, 'unattributed', () => ({key: String(i), legacy: null, new: null}))
    }
    expect(findSegment(set, pop, true)).toMatchObject({value: 'x', count: 25, differing: 30, others: 70, shareInDiffering: 0.8333, shareInOthers: 0.0714})
    // the excluded property (a field's own) is never a segment
    expect(findSegment(set, pop, true, new Set(['stage']))).toBeUndefined()
  })

  it('absence, also of a high-cardinality property: the differing records lack a property most others have ("" and null count as absent; a missing key too)', () => {
    const set = new SegmentSet()
    const pop = new Population()
    for (let i = 0; i < 30; i++) set.add(i % 2 === 0 ? {phone: ''} : i < 28 ? {} : {phone: '555'}, 'legacy_defect', () => ({key: `d${i}`, legacy: null, new: null}))
    for (let i = 0; i < 50; i++) pop.add({phone: i < 5 ? null : `55${i}`}) // 45 distinct phones: high-cardinality
    expect(pop.props.get('phone')).toEqual({present: 45, values: null})
    expect(findSegment(set, pop, false)).toMatchObject({
      property: 'phone',
      value: null,
      count: 29,
      shareInDiffering: 0.9667,
      shareInOthers: 0.1,
      example: {key: 'd0'},
      attribution: {legacy_defect: 29},
    })
  })

  it('a property with more than SEGMENT_MAX_VALUES distinct values, or a long value, is high-cardinality: skipped, its counts dropped', () => {
    const wide = disjoint(40, 40, 200, 0, (i) => ({email: `u${i}@x.com`, city: i < 40 ? 'Springfield' : `city${i % (SEGMENT_MAX_VALUES + 1)}`}))
    expect(wide.pop.props.get('email')).toEqual({present: 200, values: null})
    expect(wide.pop.props.get('city')?.values).toBeNull()
    // stage still found; city (every differing record in Springfield) skipped as high-cardinality
    expect(findSegment(wide.set, wide.pop, false)).toMatchObject({property: 'stage', value: 'x', count: 40})
    const long = new Population()
    long.add({note: 'n'.repeat(201)})
    expect(long.props.get('note')).toEqual({present: 1, values: null})
  })

  it('tracks at most SEGMENT_MAX_PROPERTIES properties; a property past the cap is unknown, never taken as absent', () => {
    const pop = new Population()
    const set = new SegmentSet()
    const many = Object.fromEntries(Array.from({length: SEGMENT_MAX_PROPERTIES}, (_, i) => [`p${String(i).padStart(3, '0')}`, 'same']))
    for (let i = 0; i < 50; i++) pop.add({...many, late: 'v'})
    for (let i = 0; i < 25; i++) set.add(many, undefined, () => ({key: String(i), legacy: null, new: null}))
    expect(pop.props.size).toBe(SEGMENT_MAX_PROPERTIES)
    expect(pop.full).toBe(true)
    expect(pop.count('late', null)).toBeUndefined()
    expect(findSegment(set, pop, false)).toBeUndefined()
  })

  it('a value only the differing records have is a segment (its property unseen among the others)', () => {
    const set = new SegmentSet()
    const pop = new Population()
    for (let i = 0; i < 25; i++) set.add({merged_into: '42'}, undefined, () => ({key: String(i), legacy: null, new: null}))
    for (let i = 0; i < 10; i++) pop.add({stage: 'y'})
    expect(findSegment(set, pop, false)).toMatchObject({property: 'merged_into', value: '42', count: 25, shareInDiffering: 1, shareInOthers: 0})
  })
})

describe('ledger predicate property-is', () => {
  const rule = (extra: Record<string, unknown>) => ({id: 'r', entity: 'contacts', field: '*', class: 'missing_in_legacy', reason: 'x', owner: 'o', expires: '2099-01-01', ...extra})
  const mapping = (r: Record<string, unknown>) => ({
    version: 1,
    legacy: {},
    entities: {contacts: {model: 'crm.contact', table: 'crm_contact', key: {legacy: 'hubspot_id', new: 'id'}, fields: {email: {property: 'email'}}}},
    ledger: [r],
  })

  it('matches the record whose property has the value; null matches absent and ""', () => {
    const m = validateMapping(mapping(rule({when: 'property-is', property: 'lifecyclestage', value: 'customer'})), 'm.json')
    const l = new Ledger(m.mapping.ledger)
    expect(l.match('contacts', '*', 'missing_in_legacy', {props: {lifecyclestage: 'customer'}})).toBeDefined()
    expect(l.match('contacts', '*', 'missing_in_legacy', {props: {lifecyclestage: 'lead'}})).toBeUndefined()
    expect(l.match('contacts', '*', 'missing_in_legacy', {})).toBeUndefined()
    const absent = new Ledger(validateMapping(mapping(rule({when: 'property-is', property: 'phone', value: null})), 'm.json').mapping.ledger)
    expect([{}, {phone: ''}, {phone: null}, {phone: '1'}].map((props) => absent.match('contacts', '*', 'missing_in_legacy', {props}) !== undefined)).toEqual([true, true, true, false])
    expect(absent.report('2026-01-01')[0].rule).toBe('missing_in_legacy of contacts.* when property-is phone = (absent)')
  })

  it('property-is without a property, or a property on another predicate, is a mapping error naming the fix', () => {
    expect(() => validateMapping(mapping(rule({when: 'property-is'})), 'm.json')).toThrow(/ledger\.0\.property.*required when "when" is property-is/)
    expect(() => validateMapping(mapping(rule({when: 'any', property: 'x'})), 'm.json')).toThrow(/ledger\.0\.property.*only applies when "when" is property-is/)
  })
})
