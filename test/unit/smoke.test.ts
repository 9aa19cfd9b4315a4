import {describe, expect, it} from 'vitest'
import {ASSOCIATION_PAIRS, OBJECTS, PATHS} from '../../src/connectors/hubspot/objects.js'

describe('hubspot object registry', () => {
  it('has a modified-date property and default properties for every entity', () => {
    for (const def of Object.values(OBJECTS)) {
      expect(def.modifiedProperty).toMatch(/lastmodifieddate$/)
      expect(def.defaultProperties).toContain(def.modifiedProperty)
    }
    expect(OBJECTS.contacts.modifiedProperty).toBe('lastmodifieddate')
  })
  it('keeps every path in one place', () => {
    expect(PATHS.associationsBatchRead('0-1', '0-3')).toBe('/crm/v4/associations/0-1/0-3/batch/read')
    expect(ASSOCIATION_PAIRS).toHaveLength(6)
  })
})
