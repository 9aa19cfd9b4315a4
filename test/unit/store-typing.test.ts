import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/open.js'
import type {SqliteStore} from '../../src/store/sqlite-store.js'
import {columnTypeFor, normalizeDecimal, toBool, toColumnValue, toDate, toDatetime} from '../../src/store/typing.js'
import {prop, rec, tmpDir} from './store-helpers.js'

describe('value typing', () => {
  it('normalizes decimals exactly, without float conversion', () => {
    expect(normalizeDecimal('0.1000000000000000055511151231257827')).toBe('0.1000000000000000055511151231257827')
    expect(normalizeDecimal('1250.50')).toBe('1250.5')
    expect(normalizeDecimal('+007')).toBe('7')
    expect(normalizeDecimal('-0.000')).toBe('0')
    expect(normalizeDecimal('.5')).toBe('0.5')
    expect(normalizeDecimal('5.')).toBe('5')
    expect(normalizeDecimal('1e3')).toBe('1000')
    expect(normalizeDecimal('1.5E-3')).toBe('0.0015')
    expect(normalizeDecimal('-12345678901234567890.123456789')).toBe('-12345678901234567890.123456789')
    expect(normalizeDecimal(' 42 ')).toBe('42')
    for (const bad of ['', '.', 'abc', '1,5', '1.2.3', 'NaN', 'Infinity', '1e99999', '--1']) expect(normalizeDecimal(bad)).toBeNull()
  })

  it('converts booleans, dates and datetimes', () => {
    expect([toBool('true'), toBool('FALSE'), toBool('1'), toBool('no'), toBool('maybe')]).toEqual([1, 0, 1, 0, null])
    expect(toDatetime('1572480000000')).toBe('2019-10-31T00:00:00.000Z')
    expect(toDatetime('2019-10-31T02:00:00+02:00')).toBe('2019-10-31T00:00:00.000Z')
    expect(toDatetime('2024-05-06T07:08:09Z')).toBe('2024-05-06T07:08:09.000Z')
    expect(toDatetime('2024-02-30T00:00:00.000Z')).toBe('2024-03-01T00:00:00.000Z')
    expect(toDatetime('2024-05-06T07:08:09.123Z')).toBe('2024-05-06T07:08:09.123Z')
    expect(toDatetime('not a date')).toBeNull()
    expect(toDate('2024-05-06')).toBe('2024-05-06')
    expect(toDate('1572480000000')).toBe('2019-10-31')
    expect(toDate('2024-05-06T23:30:00.000Z')).toBe('2024-05-06')
    expect(toDate('2024-13-45')).toBeNull()
    expect(toColumnValue('text', '')).toBe('')
    expect(toColumnValue('decimal', null)).toBeNull()
    expect([columnTypeFor('number'), columnTypeFor('enumeration'), columnTypeFor('phone_number'), columnTypeFor('bool')]).toEqual(['decimal', 'text', 'text', 'bool'])
  })
})

describe('typed columns in the store', () => {
  let store: SqliteStore
  afterEach(() => store?.close())

  it('fills a typed column per property type, keeping the raw JSON exactly', () => {
    store = openStore(path.join(tmpDir(), 't.db'))
    store.ensureEntity({
      entity: 'deals',
      properties: [prop('amount', 'number'), prop('closedate', 'date'), prop('hs_lastmodifieddate', 'datetime'), prop('is_won', 'bool'), prop('dealstage', 'enumeration'), prop('dealname')],
    })
    const raw = {
      amount: '0.1000000000000000055511151231257827',
      closedate: '1572480000000',
      hs_lastmodifieddate: '1572480000123',
      is_won: 'true',
      dealstage: 'closedwon',
      dealname: 'Big "deal"',
      extra: 'x',
    }
    store.applyRecords('deals', 'deals', [rec('7', raw)], null)
    const row = store.db.prepare('SELECT * FROM obj_deals').get() as Record<string, unknown>
    expect(row).toMatchObject({
      id: '7',
      p_amount: '0.1000000000000000055511151231257827',
      p_closedate: '2019-10-31',
      p_hs_lastmodifieddate: '2019-10-31T00:00:00.123Z',
      p_is_won: 1,
      p_dealstage: 'closedwon',
      p_dealname: 'Big "deal"',
      archived: 0,
      merged_into: null,
      properties: JSON.stringify(raw),
    })
    expect(row).not.toHaveProperty('p_extra')
    // values that are not strings (not what HubSpot sends) are stored as text rather than aborting the page
    const odd = {dealname: 42, is_won: true, amount: 7} as unknown as Record<string, string>
    store.applyRecords('deals', 'deals', [rec('8', odd)], null)
    expect(store.db.prepare(`SELECT p_dealname, p_is_won, p_amount FROM obj_deals WHERE id = '8'`).get()).toEqual({p_dealname: '42', p_is_won: 1, p_amount: '7'})
  })

  it('adds columns for new properties later (ALTER TABLE), back-filled from the stored JSON, idempotently', () => {
    store = openStore(path.join(tmpDir(), 't.db'))
    store.ensureEntity({entity: 'contacts', properties: [prop('email')]})
    store.applyRecords('contacts', 'contacts', [rec('1', {email: 'a@x', score: '12.50'})], null)
    store.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('score', 'number')]})
    store.ensureEntity({entity: 'contacts', properties: [prop('score', 'number'), prop('email')]})
    expect(store.db.prepare('SELECT p_email, p_score FROM obj_contacts').get()).toEqual({p_email: 'a@x', p_score: '12.5'})
    store.applyRecords('contacts', 'contacts', [rec('2', {email: 'b@x', score: '3'})], null)
    expect(store.db.prepare(`SELECT p_score FROM obj_contacts WHERE id = '2'`).pluck().get()).toBe('3')
    const cols = store.db.prepare('SELECT property, "column", type FROM property_columns ORDER BY property').all()
    expect(cols).toEqual([
      {property: 'email', column: 'p_email', type: 'text'},
      {property: 'score', column: 'p_score', type: 'decimal'},
    ])
    // a property whose type changes is re-typed in place
    store.ensureEntity({entity: 'contacts', properties: [prop('score', 'bool')]})
    expect(store.db.prepare(`SELECT p_score FROM obj_contacts ORDER BY id`).pluck().all()).toEqual([null, null])
  })
})
