import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {UsageError} from '../../src/core/errors.js'
import {assertNoExpiredRules, Ledger} from '../../src/parity/ledger.js'
import {loadMapping, validateMapping} from '../../src/parity/mapping/load.js'

const FIXTURE = 'fixtures/mappings/legacy-django.json'
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests edit arbitrary paths of the parsed fixture
const base = (): Record<string, any> => JSON.parse(readFileSync(FIXTURE, 'utf8'))
const err = (raw: unknown): string => {
  try {
    validateMapping(raw, 'm.json')
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    return (e as Error).message
  }
  throw new Error('expected the mapping to be rejected')
}

describe('mapping file', () => {
  it('the shipped legacy-django mapping is valid and covers behaviours 1-9', () => {
    const {mapping} = loadMapping(FIXTURE)
    const c = mapping.entities.contacts
    expect(mapping.ledger.map((r) => r.when)).toEqual(['legacy-empty-new-null', 'new-archived']) // 1, 7
    expect(c.fields.email.normalize).toEqual(['trim', 'lowercase']) // 2
    expect(c.fields.first_name.normalize).toEqual(['truncate:100']) // 3
    expect(c.fields.hs_created_at.normalize).toEqual(['datetime:s']) // 4
    expect(mapping.entities.deals.fields.amount.normalize).toEqual(['decimal:2']) // 5
    expect(mapping.entities.deals.fields.close_date.normalize[0]).toMatch(/^date:/) // 6
    expect(c.relations.division).toMatchObject({kind: 'fk', pick: 'first'}) // 8
    expect(mapping.entities.deals.relations.contacts.kind).toBe('m2m') // 8
    for (const e of Object.values(mapping.entities)) expect(e.ignore.last_synced_at).toMatch(/behaviour 9/) // 9
  })

  it('reads YAML too', () => {
    const yaml = `version: 1\nentities:\n  contacts:\n    model: crm.contact\n    table: crm_contact\n    key: {legacy: hubspot_id}\n    fields:\n      email: {property: email, normalize: [trim]}\n`
    const m = validateMapping(parseYaml(yaml), 'm.yaml')
    expect(m.mapping.entities.contacts.fields.email.normalize).toEqual(['trim'])
  })

  it('names the key path, what is wrong, and the closest known key', () => {
    const m = base()
    m.entities.deals.relations.contacts.kindd = 'm2m'
    expect(err(m)).toMatch(/entities\.deals\.relations\.contacts\.kindd: unknown key \(did you mean "kind"\?\)/)
    const m2 = base()
    m2.ledgr = []
    expect(err(m2)).toMatch(/ledgr: unknown key \(did you mean "ledger"\?\)/)
    const m3 = base()
    m3.entities.contacts.model = 'contact'
    expect(err(m3)).toMatch(/entities\.contacts\.model: must look like app_label\.model/)
    const m4 = base()
    m4.entities.contacts.relations.division.target = 'division'
    expect(err(m4)).toMatch(/relations\.division\.target: unknown entity "division" \(did you mean "divisions"\?\)/)
    const m5 = base()
    m5.ledger[0].expires = 'soon'
    expect(err(m5)).toMatch(/ledger\.0\.expires: must be a date YYYY-MM-DD/)
    const m6 = base()
    m6.ledger[0].field = 'emial'
    m6.ledger[0].entity = 'contacts'
    expect(err(m6)).toMatch(/"emial" is not a compared field or relation of contacts \(did you mean "email"\?\)/)
    const m7 = base()
    m7.ledger[0].when = 'legacy-empty'
    expect(err(m7)).toMatch(/ledger\.0\.when/)
  })

  it('ledger: counts the rows each rule absorbs, matching entity, field, class and predicate', () => {
    const {mapping} = validateMapping(base())
    const l = new Ledger(mapping.ledger)
    expect(l.match('contacts', 'email', 'modified', {legacy: '', new: null})?.id).toBe('legacy-empty-strings')
    expect(l.match('contacts', 'email', 'modified', {legacy: 'a', new: null})).toBeUndefined()
    expect(l.match('contacts', 'email', 'missing_in_legacy', {legacy: '', new: null})).toBeUndefined()
    expect(l.match('deals', '*', 'missing_in_legacy', {newArchived: true})?.id).toBe('archived-removed')
    expect(l.match('deals', '*', 'missing_in_legacy', {newArchived: false})).toBeUndefined()
    expect(l.report('2026-01-01').map((r) => [r.id, r.absorbed, r.expired])).toEqual([
      ['legacy-empty-strings', 1, false],
      ['archived-removed', 1, false],
    ])
    const l2 = new Ledger(mapping.ledger, 2)
    for (let i = 0; i < 3; i++) l2.match('contacts', 'email', 'modified', {legacy: '', new: null}, () => ({key: String(i), field: 'email', legacy: '', new: null}))
    expect(l2.report('2026-01-01')[0]).toMatchObject({absorbed: 3, samples: [{key: '0'}, {key: '1'}]})
  })

  it('ledger predicates: each holds only for its own kind of difference', () => {
    const rule = (id: string, when: string, cls = 'modified') => ({id, entity: '*', field: '*', class: cls, when, reason: 'r', owner: 'o', expires: '2099-01-01'}) as never
    const l = new Ledger([
      rule('a', 'legacy-null-new-empty'),
      rule('b', 'legacy-prefix-of-new'),
      rule('c', 'fk-not-first', 'relation'),
      rule('d', 'source-archived', 'missing_in_new'),
      rule('e', 'any', 'duplicate_key'),
    ])
    expect(l.match('x', 'f', 'modified', {legacy: null, new: ''})?.id).toBe('a')
    expect(l.match('x', 'f', 'modified', {legacy: '', new: null})).toBeUndefined()
    expect(l.match('x', 'f', 'modified', {legacy: '+1 555 0100', new: '+1 555 0100 ext. 7'})?.id).toBe('b')
    expect(l.match('x', 'f', 'modified', {legacy: '+1 555 0199', new: '+1 555 0100 ext. 7'})).toBeUndefined()
    expect(l.match('x', 'f', 'relation', {fkNotFirst: true})?.id).toBe('c')
    expect(l.match('x', 'f', 'relation', {fkNotFirst: false})).toBeUndefined()
    expect(l.match('x', '*', 'missing_in_new', {sourceArchived: true})?.id).toBe('d')
    expect(l.match('x', '*', 'missing_in_new', {sourceArchived: false})).toBeUndefined()
    expect(l.match('x', '*', 'duplicate_key', {})?.id).toBe('e')
    expect(l.report('2026-01-01').map((r) => r.absorbed)).toEqual([1, 1, 1, 1, 1])
  })

  it('an expired rule fails the run naming the rule', () => {
    const m = base()
    m.ledger[1].expires = '2026-01-31'
    const {mapping} = validateMapping(m)
    expect(() => assertNoExpiredRules(mapping, 'm.json', '2026-01-31')).not.toThrow()
    expect(() => assertNoExpiredRules(mapping, 'm.json', '2026-02-01')).toThrow(/"archived-removed" \(owner data-platform, expired 2026-01-31\)/)
  })
})
