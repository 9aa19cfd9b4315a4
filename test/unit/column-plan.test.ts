import {describe, expect, it} from 'vitest'
import {freeTableName, planColumns, type PropertyColumn} from '../../src/store/column-plan.js'
import {prop} from './store-helpers.js'

const have = (...cols: PropertyColumn[]): Map<string, PropertyColumn> => new Map(cols.map((c) => [c.property, c]))

describe('planColumns (both stores)', () => {
  it('adds new properties in name order with free sanitized names, re-types a changed one in its column, skips unchanged ones', () => {
    const existing = have({property: 'email', column: 'p_email', type: 'text'}, {property: 'amount', column: 'p_amount', type: 'text'})
    const plan = planColumns(existing, [prop('zeta'), prop('email'), prop('amount', 'number'), prop('Email Address'), prop('a-b')])
    expect(plan).toEqual([
      {kind: 'add', property: 'Email Address', column: 'p_email_address', type: 'text'},
      {kind: 'add', property: 'a-b', column: 'p_a_b', type: 'text'},
      {kind: 'retype', property: 'amount', column: 'p_amount', type: 'decimal'},
      {kind: 'add', property: 'zeta', column: 'p_zeta', type: 'text'},
    ])
    expect(planColumns(existing, [prop('email')])).toEqual([])
  })

  it('plans a property named twice once; two names sanitized alike get distinct columns', () => {
    const plan = planColumns(new Map(), [prop('x'), prop('x'), prop('A B'), prop('a_b')])
    expect(plan.map((c) => [c.property, c.column])).toEqual([
      ['A B', 'p_a_b'],
      ['a_b', 'p_a_b_2'],
      ['x', 'p_x'],
    ])
  })

  it('stops adding at maxColumns typed columns in all; re-typing still happens past it', () => {
    const existing = have({property: 'p1', column: 'p_p1', type: 'text'})
    const plan = planColumns(existing, [prop('p1', 'number'), prop('p2'), prop('p3'), prop('p4')], 3)
    expect(plan.map((c) => `${c.kind} ${c.property}`)).toEqual(['retype p1', 'add p2', 'add p3'])
  })

  it('freeTableName: the sanitized name, or the first free _N', () => {
    expect(freeTableName('Contacts', new Set(['obj_deals']))).toBe('obj_contacts')
    expect(freeTableName('contacts', new Set(['obj_contacts']))).toBe('obj_contacts_2')
    expect(freeTableName('contacts', new Set(['obj_contacts', 'obj_contacts_2']))).toBe('obj_contacts_3')
  })
})
