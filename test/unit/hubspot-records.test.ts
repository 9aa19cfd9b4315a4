import {describe, expect, it} from 'vitest'
import {mergedObjectIds, toHubSpotRecord} from '../../src/connectors/hubspot/records.js'

const base = {id: '7', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z'}

describe('toHubSpotRecord', () => {
  it('keeps string and null properties as they are, and stringifies numbers and booleans', () => {
    expect(toHubSpotRecord({...base, properties: {a: 'x', b: null}}).properties).toEqual({a: 'x', b: null})
    expect(toHubSpotRecord({...base, properties: {a: 'x', n: 5, t: true, b: null}}).properties).toEqual({a: 'x', n: '5', t: 'true', b: null})
  })

  it('rejects a property value that is an object or array, naming it', () => {
    expect(() => toHubSpotRecord({...base, properties: {a: 'x', bad: {deep: 1}}})).toThrow(/record 7 property "bad" is neither a string nor null/)
    expect(() => toHubSpotRecord({...base, properties: {bad: ['x']}})).toThrow(/"bad"/)
  })

  it('keeps a "__proto__" property name as data, not as the prototype', () => {
    const rec = toHubSpotRecord(JSON.parse('{"id":"7","createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-01T00:00:00.000Z","properties":{"__proto__":"x","n":1}}'))
    expect(Object.getOwnPropertyDescriptor(rec.properties, '__proto__')?.value).toBe('x')
    expect(Object.getPrototypeOf(rec.properties)).toBe(Object.prototype)
  })

  it('reads merged ids from hs_merged_object_ids', () => {
    expect(mergedObjectIds(toHubSpotRecord({...base, properties: {hs_merged_object_ids: '3; 4;x;;5'}}))).toEqual(['3', '4', '5'])
  })
})
