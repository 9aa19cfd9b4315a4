import fs from 'node:fs'
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {parse} from 'csv-parse/sync'
import {beforeAll, describe, expect, it} from 'vitest'
import {CrmsyncError} from '../../src/core/errors.js'
import {exportEntity, exportStore} from '../../src/store/export.js'
import {openStore} from '../../src/store/open.js'
import {iterateAssociations, iterateRecords} from '../../src/store/read.js'
import {prop, rec, tmpDir} from './store-helpers.js'

let file: string
const live = rec('10', {email: 'a@x.io', firstname: 'Ann', amount: '1.50'})
const tomb = rec('9', {email: 'gone@x.io', firstname: null}, {archived: true, archivedAt: '2024-05-01T00:00:00.000Z'})
const big = rec('18014398509481985', {email: 'big@x.io', note: 'comma, "quote"\nnewline', constructor: 'c'})

beforeAll(() => {
  file = path.join(tmpDir(), 'export.db')
  const s = openStore(file)
  s.ensureEntity({entity: 'contacts', properties: [prop('email'), prop('amount', 'number')]})
  s.ensureEntity({entity: 'deals', properties: []})
  s.applyRecords('contacts', 'contacts', [big, live, tomb, rec('11', {email: 'loser@x.io'})], null)
  s.applyMerges('contacts', 'contacts', [{loserId: '11', survivorId: '10'}], null)
  s.replaceAssociations(
    'a',
    'contacts',
    'deals',
    ['10'],
    [
      {
        fromType: 'contacts',
        fromId: '10',
        toType: 'deals',
        toId: '5',
        types: [
          {category: 'USER_DEFINED', typeId: 7, label: 'Champion'},
          {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
        ],
      },
    ],
    null,
  )
  s.close()
})

async function capture(entity: string, format: 'ndjson' | 'csv'): Promise<{text: string; count: number}> {
  const store = openStore(file, {readonly: true})
  const out = new PassThrough()
  const chunks: Buffer[] = []
  out.on('data', (c: Buffer) => chunks.push(c))
  try {
    const count = await exportEntity(store, entity, format, out)
    return {text: Buffer.concat(chunks).toString('utf8'), count}
  } finally {
    store.close()
  }
}

describe('export', () => {
  it('writes HubSpot-shaped NDJSON in id order, tombstones marked, merged losers left out', async () => {
    const {text, count} = await capture('contacts', 'ndjson')
    expect(count).toBe(3)
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toEqual([tomb, live, big])
    expect(text.split('\n')[1]).toBe(
      `{"id":"10","properties":{"email":"a@x.io","firstname":"Ann","amount":"1.50"},"createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00.000Z","archived":false}`,
    )
  })

  it('writes CSV with fixed columns then every property sorted by name', async () => {
    const {text} = await capture('contacts', 'csv')
    const rows = parse(text, {columns: true}) as Array<Record<string, string>>
    expect(Object.keys(rows[0])).toEqual(['id', 'created_at', 'updated_at', 'archived', 'archived_at', 'amount', 'constructor', 'email', 'firstname', 'note'])
    expect(rows.map((r) => r.constructor)).toEqual(['', '', 'c'])
    expect(rows.map((r) => [r.id, r.archived, r.archived_at])).toEqual([
      ['9', 'true', '2024-05-01T00:00:00.000Z'],
      ['10', 'false', ''],
      ['18014398509481985', 'false', ''],
    ])
    expect(rows[2].note).toBe('comma, "quote"\nnewline')
    expect(rows[1].amount).toBe('1.50')
  })

  it('exports associations one line per pair and type', async () => {
    const {text, count} = await capture('associations', 'ndjson')
    expect(count).toBe(2)
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {fromEntity: 'contacts', fromId: '10', toEntity: 'deals', toId: '5', typeId: 4, category: 'HUBSPOT_DEFINED', label: null},
      {fromEntity: 'contacts', fromId: '10', toEntity: 'deals', toId: '5', typeId: 7, category: 'USER_DEFINED', label: 'Champion'},
    ])
    const csv = parse((await capture('associations', 'csv')).text, {columns: true}) as Array<Record<string, string>>
    expect(csv[1]).toEqual({fromEntity: 'contacts', fromId: '10', toEntity: 'deals', toId: '5', typeId: '7', category: 'USER_DEFINED', label: 'Champion'})
  })

  it('offers the same data programmatically', () => {
    const store = openStore(file, {readonly: true})
    expect([...iterateRecords(store, 'contacts')]).toEqual([tomb, live, big])
    expect([...iterateRecords(store, 'contacts', {includeArchived: false})].map((r) => r.id)).toEqual(['10', '18014398509481985'])
    expect([...iterateAssociations(store, {toEntity: 'deals'})]).toHaveLength(2)
    expect([...iterateAssociations(store, {fromEntity: 'deals'})]).toHaveLength(0)
    expect([...iterateRecords(store, 'deals')]).toEqual([])
    store.close()
  })

  it('writes --out atomically and refuses unknown entities with the valid ones listed', async () => {
    const dir = tmpDir()
    const out = path.join(dir, 'c.ndjson')
    const result = await exportStore(file, 'contacts', 'ndjson', out)
    expect(result).toMatchObject({entity: 'contacts', format: 'ndjson', count: 3, out})
    expect(fs.readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(3)
    const err = await exportStore(file, 'contactz', 'csv', path.join(dir, 'x.csv')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CrmsyncError)
    expect((err as CrmsyncError).exitCode).toBe(2)
    expect((err as CrmsyncError).message).toMatch(/unknown entity "contactz".*valid: contacts, deals, associations/)
    await expect(exportStore(file, 'contacts', 'ndjson', path.join(dir, 'no', 'x.ndjson'))).rejects.toThrow(/does not exist/)
    expect(fs.readdirSync(dir)).toEqual(['c.ndjson'])
  })
})
