/**
 * An object with more properties than SQLite has columns (issue 11, risk ">~1,990 properties"): the
 * sync must not fail half-way with "too many columns". The first MAX_TYPED_COLUMNS properties (by
 * name) get typed columns; the rest live in the raw properties JSON, which export reads in full.
 */
import path from 'node:path'
import {PassThrough} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {exportEntity} from '../../src/store/export.js'
import {MAX_TYPED_COLUMNS} from '../../src/store/entity-table.js'
import {openStore} from '../../src/store/open.js'
import {prop, rec, tmpDir} from './store-helpers.js'

const N = 2100
const name = (i: number) => `p${String(i).padStart(4, '0')}`

describe('an entity with 2,100 properties', () => {
  it('stores and exports every property; only the first 1,990 get typed columns', async () => {
    const file = path.join(tmpDir(), 'wide.db')
    const store = openStore(file)
    try {
      const props = Array.from({length: N}, (_, i) => prop(name(i), i % 2 ? 'number' : 'string'))
      store.ensureEntity({entity: 'contacts', properties: props})
      const values = Object.fromEntries(props.map((p, i) => [p.name, String(i)]))
      expect(store.applyRecords('contacts', 'contacts', [rec('1', values)], null)).toMatchObject({inserted: 1})
      const cols = store.table('contacts')!.columns
      expect(cols).toHaveLength(MAX_TYPED_COLUMNS)
      expect(cols.at(-1)!.property).toBe(name(MAX_TYPED_COLUMNS - 1))
      // a later sync with the same (or more) properties changes nothing and still fits
      store.ensureEntity({entity: 'contacts', properties: [...props, prop('zz_new')]})
      expect(store.table('contacts')!.columns).toHaveLength(MAX_TYPED_COLUMNS)
      for (const format of ['ndjson', 'csv'] as const) {
        const out = new PassThrough()
        let text = ''
        out.on('data', (d) => (text += d))
        await exportEntity(store, 'contacts', format, out)
        expect(text).toContain(name(N - 1))
        if (format === 'ndjson') expect(JSON.parse(text).properties[name(N - 1)]).toBe(String(N - 1))
        else expect(text.split('\n')[1].split(',').at(-1)).toBe(String(N - 1))
      }
    } finally {
      store.close()
    }
  })
})
