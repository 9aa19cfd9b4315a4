import {describe, expect, it} from 'vitest'
import {Redactor, kindOf, parseRedactList} from '../../src/portal/redact.js'
import type {CrmRecord, PropertyDefinition} from '../../src/core/records.js'

const rec = (properties: Record<string, string | null>): CrmRecord => ({id: '1', properties, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false})
const noDefs = new Map<string, PropertyDefinition>()

describe('redaction kinds', () => {
  it('picks the kind from the property name and type', () => {
    expect(kindOf('email')).toBe('email')
    expect(kindOf('hs_additional_emails')).toBe('email')
    expect(kindOf('phone')).toBe('phone')
    expect(kindOf('mobilephone')).toBe('phone')
    expect(kindOf('work_contact', {type: 'phone_number', fieldType: 'phonenumber'})).toBe('phone')
    expect(kindOf('firstname')).toBe('firstname')
    expect(kindOf('lastname')).toBe('lastname')
    expect(kindOf('dealname')).toBe('fullname')
    expect(kindOf('amount', {type: 'number', fieldType: 'number'})).toBe('number')
    expect(kindOf('notes')).toBe('text')
  })
})

describe('Redactor', () => {
  const r = new Redactor(['email', 'phone', 'firstname', 'lastname', 'amount', 'notes'], 'salt-1')

  it('makes fakes of the same kind: emails, phones with the same punctuation, names', () => {
    expect(r.fake(' Jane.Doe@Example.COM ', 'email')).toMatch(/^user\.[0-9a-f]{12}@example\.com$/)
    expect(r.fake('a@x.io;b@y.io', 'email')!.split(';')).toHaveLength(2)
    const phone = r.fake('+1 (555) 010-2345', 'phone')!
    expect(phone).toMatch(/^\+\d \(\d{3}\) \d{3}-\d{4}$/)
    expect(phone).not.toBe('+1 (555) 010-2345')
    expect(r.fake('Zoë', 'firstname')).toMatch(/^[A-Z][a-z]+$/)
    expect(r.fake('Müller-Lüdenscheidt', 'lastname')).toMatch(/^[A-Z][a-z]+$/)
    expect(r.fake('1250.55', 'number')).toMatch(/^\d{4}\.\d{2}$/)
    expect(r.fake('secret note', 'text')).toMatch(/^redacted-[0-9a-f]{16}$/)
  })

  it('is deterministic per salt, keyed (another salt gives other fakes), and treats email case and spaces as the same address', () => {
    const again = new Redactor(['email'], 'salt-1')
    const other = new Redactor(['email'], 'salt-2')
    expect(again.fake('jane@x.io', 'email')).toBe(r.fake('jane@x.io', 'email'))
    expect(r.fake(' JANE@x.io', 'email')).toBe(r.fake('jane@x.io', 'email'))
    expect(other.fake('jane@x.io', 'email')).not.toBe(r.fake('jane@x.io', 'email'))
    expect(r.fake('jane@x.io', 'email')).not.toBe(r.fake('john@x.io', 'email'))
  })

  it('keeps null and empty values, and leaves records without listed properties alone', () => {
    expect(r.fake(null, 'email')).toBeNull()
    expect(r.fake('', 'phone')).toBe('')
    const out = r.record(rec({email: null, phone: '', lifecyclestage: 'lead'}), noDefs)
    expect(out.properties).toEqual({email: null, phone: '', lifecyclestage: 'lead'})
    expect(new Redactor([], 's').record(rec({email: 'a@b.co'}), noDefs).properties.email).toBe('a@b.co')
  })

  it('replaces listed properties and scrubs copies of their values from other properties of the record', () => {
    const input = rec({email: 'jane.doe@example.org', hs_email_copy: 'primary: jane.doe@example.org', phone: '555.123.4567', city: 'Paris'})
    const out = r.record(input, noDefs)
    expect(out.properties.email).not.toBe('jane.doe@example.org')
    expect(out.properties.hs_email_copy).toBe(`primary: ${out.properties.email}`)
    expect(out.properties.city).toBe('Paris')
    expect(JSON.stringify(out)).not.toContain('jane.doe@example.org')
    expect(JSON.stringify(out)).not.toContain('555.123.4567')
    expect(input.properties.email).toBe('jane.doe@example.org') // the input is not mutated
  })

  it('parses --redact lists and rejects names that cannot be properties', () => {
    expect(parseRedactList('email, phone,,email')).toEqual(['email', 'phone'])
    expect(parseRedactList(undefined)).toEqual([])
    expect(() => parseRedactList('email,drop table')).toThrow(/not a property name/)
  })
})
