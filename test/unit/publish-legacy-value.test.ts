import {describe, expect, it} from 'vitest'
import {validateMapping} from '../../src/parity/mapping/load.js'
import {fieldFamily, sameValue, toLegacyValue} from '../../src/parity/publish/legacy-value.js'
import type {ColumnInfo} from '../../src/parity/publish/target.js'
import mapping from '../../fixtures/mappings/legacy-django.json' with {type: 'json'}

const lm = validateMapping(mapping)
const col = (family: ColumnInfo['family'], notNull = false): ColumnInfo => ({name: 'c', family, declared: family, notNull})
const legacy = (entity: string, field: string, raw: unknown, column = col('text', true)) => toLegacyValue(lm.comparators[entity][field].new, column, raw)

describe('the mapping normalizers as write transforms (the legacy representation)', () => {
  it('turns store values into what the legacy sync stored (behaviours 1-6)', () => {
    expect(legacy('contacts', 'email', '  Ann@Example.COM ').value).toBe('ann@example.com')
    expect(legacy('contacts', 'first_name', 'x'.repeat(150)).value).toBe('x'.repeat(100))
    expect(legacy('contacts', 'hs_updated_at', '2025-07-07T14:03:11.120Z', col('timestamp')).value).toBe('2025-07-07T14:03:11Z')
    expect(legacy('deals', 'amount', '1250.5', col('numeric')).value).toBe('1250.50')
    expect(legacy('deals', 'close_date', '2025-07-08T03:30:00Z', col('date')).value).toBe('2025-07-07')
    expect(legacy('divisions', 'is_active', 'TRUE', col('boolean')).value).toBe('true')
    // behaviour 1: missing text is "" in a NOT NULL CharField, NULL where the column allows it
    expect(legacy('contacts', 'phone', null).value).toBe('')
    expect(legacy('contacts', 'phone', null, col('text')).value).toBeNull()
    expect(legacy('contacts', 'phone', '+1 (555) 010-0199 ext. 12345').value).toBe('+1 (555) 010-0199 ext. 12345') // the full phone
  })
  it('a value a typed column cannot hold becomes NULL and is reported', () => {
    expect(legacy('deals', 'amount', 'n/a', col('numeric'))).toEqual({value: null, rejected: true})
    expect(legacy('deals', 'close_date', 'someday', col('date'))).toEqual({value: null, rejected: true})
    expect(legacy('deals', 'amount', '', col('numeric'))).toEqual({value: null, rejected: false})
  })
  it('knows which column family each mapped field needs', () => {
    const f = (e: string, x: string) => fieldFamily(lm.mapping.entities[e].fields[x])
    expect([f('contacts', 'email'), f('contacts', 'hs_created_at'), f('deals', 'amount'), f('deals', 'close_date'), f('divisions', 'is_active')]).toEqual([
      'text',
      'timestamp',
      'numeric',
      'date',
      'boolean',
    ])
  })
  it('compares what a driver returns with the legacy text (no rewrite of equal rows)', () => {
    expect(sameValue('timestamp', '2025-07-07 09:03:11-05', '2025-07-07T14:03:11Z')).toBe(true)
    expect(sameValue('timestamp', '2025-07-07 14:03:11', '2025-07-07T14:03:11Z')).toBe(true)
    expect(sameValue('timestamp', '2025-07-07 14:03:12', '2025-07-07T14:03:11Z')).toBe(false)
    expect(sameValue('numeric', 1250.5, '1250.50')).toBe(true)
    expect(sameValue('boolean', 't', 'true')).toBe(true)
    expect(sameValue('boolean', 0, 'true')).toBe(false)
    expect(sameValue('text', '', null)).toBe(false)
    expect(sameValue('integer', 17, '17')).toBe(true)
  })
})
