import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/open.js'
import {readSyncStatus} from '../../src/store/read-status.js'
import {renderSyncStatus} from '../../src/store/status-table.js'
import type {CrmRecord} from '../../src/core/records.js'
import {rec, tmpDir} from './store-helpers.js'

describe('sync status', () => {
  it('counts rows, tombstones, merged rows, edges and dead letters per stream, with the last run', async () => {
    const file = path.join(tmpDir(), 's.db')
    const s = openStore(file)
    const first = s.startRun('sync all', false)
    s.applyRecords('contacts', 'contacts', [rec('1', {}), rec('2', {}), rec('3', {}), rec('4', {}, {archived: true})], {after: '4'})
    s.applyMerges('contacts', 'contacts', [{loserId: '3', survivorId: '1'}], null)
    s.applyRecords('deals', 'deals', [rec('7', {})], null)
    s.replaceAssociations(
      'associations:contacts:deals',
      'contacts',
      'deals',
      ['1'],
      [{fromType: 'contacts', fromId: '1', toType: 'deals', toId: '7', types: [{category: 'HUBSPOT_DEFINED', typeId: 4, label: null}]}],
      {done: true},
    )
    s.addDeadLetter({stream: 'deals', recordId: '8', payload: null, reason: 'bad'})
    s.finishRun(first, {status: 'ok', counts: {contacts: {inserted: 3, updated: 0, unchanged: 0, deleted: 2}, deals: {inserted: 1, updated: 0, unchanged: 0, deleted: 0}}, requests: 12})
    const second = s.startRun('sync contacts', false)
    s.finishRun(second, {status: 'failed', counts: {contacts: {inserted: 0, updated: 0, unchanged: 4, deleted: 0}}, message: 'HTTP 401: token rejected'})
    s.close()

    const status = await readSyncStatus(file)
    expect(status.totals).toEqual({records: 3, tombstones: 1, associations: 1, deadLetters: 1})
    const by = Object.fromEntries(status.streams.map((l) => [l.stream, l]))
    expect(Object.keys(by)).toEqual(['associations', 'associations:contacts:deals', 'contacts', 'deals'])
    expect(by.contacts).toMatchObject({rows: 2, tombstones: 1, merged: 1, cursor: {after: '4'}, deadLetters: 0})
    expect(by.contacts.lastRun).toMatchObject({id: second, status: 'failed'})
    expect(by.deals).toMatchObject({rows: 1, tombstones: 0, deadLetters: 1, cursor: null})
    expect(by.deals.lastRun).toMatchObject({id: first, status: 'ok', requests: 12})
    expect(by['associations:contacts:deals']).toMatchObject({rows: null, cursor: {done: true}})
    expect(by.associations.rows).toBe(1)
    expect(status.lastRun).toMatchObject({id: second, status: 'failed', message: 'HTTP 401: token rejected'})
    const text = renderSyncStatus(status)
    expect(text).toContain('failed')
    expect(text).toContain('HTTP 401: token rejected')
    expect(text).not.toMatch(/\u001b\[/) // no colours unless asked
  })

  it('rejects malformed records before writing anything', () => {
    const s = openStore(path.join(tmpDir(), 'm.db'))
    const bad = {id: 5, properties: {}} as unknown as CrmRecord
    expect(() => s.applyRecords('c', 'contacts', [rec('1', {}), bad], {x: 1})).toThrow(/malformed record 5/)
    expect([...s.liveIds('contacts')]).toEqual([])
    expect(s.getCheckpoint('c')).toBeNull()
    s.close()
  })
})
