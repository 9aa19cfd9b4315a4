import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {CrmsyncError, UsageError} from '../../src/core/errors.js'
import {createPortalWriter, openPortal} from '../../src/portal/snapshot.js'
import {compareIds} from '../../src/core/ids.js'
import type {PortalManifest} from '../../src/portal/types.js'
import type {AssociationRow, CrmRecord} from '../../src/core/records.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'crmsync-snap-'))
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

const rec = (id: string, extra: Partial<CrmRecord> = {}): CrmRecord => ({
  id,
  properties: {lastmodifieddate: '2025-01-02T03:04:05.678Z', email: ' A@B.COM ', firstname: 'Zoë 😀', hs_object_id: id, phone: null, lastname: ''},
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-02T03:04:05.678Z',
  archived: false,
  ...extra,
})

const BIG = '9007199254740993' // 2^53 + 1: not representable as a JS number

async function writeSample(dir: string, gzip: boolean): Promise<{manifest: PortalManifest; contacts: CrmRecord[]; rows: AssociationRow[]}> {
  const w = await createPortalWriter(dir, {portalId: 123, gzip, capturedAt: '2025-06-01T00:00:00.000Z', source: {kind: 'fixture'}})
  w.addObjectType({name: 'contacts', objectTypeId: '0-1', properties: [{name: 'email', label: 'Email', type: 'string', fieldType: 'text'}]})
  w.addObjectType({name: 'deals', objectTypeId: '0-3', properties: []})
  w.setAssociationTypes([
    {fromType: 'contacts', toType: 'deals', category: 'HUBSPOT_DEFINED', typeId: 4, label: null, inverseTypeId: 3},
    {fromType: 'deals', toType: 'contacts', category: 'HUBSPOT_DEFINED', typeId: 3, label: null, inverseTypeId: 4},
  ])
  const contacts = [rec('2'), rec('10', {archived: true, archivedAt: '2025-03-01T00:00:00.000Z'}), rec(BIG)]
  for (const c of contacts) await w.writeRecord('contacts', c)
  await w.writeRecord('deals', rec('7'))
  const rows: AssociationRow[] = [
    {
      fromType: 'contacts',
      fromId: '2',
      toType: 'deals',
      toId: '7',
      types: [
        {category: 'USER_DEFINED', typeId: 1, label: 'Decision maker'},
        {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
      ],
    },
    {fromType: 'contacts', fromId: BIG, toType: 'deals', toId: '7', types: [{category: 'HUBSPOT_DEFINED', typeId: 4, label: null}]},
  ]
  for (const r of rows) await w.writeAssociation(r)
  const manifest = await w.finish()
  return {manifest, contacts, rows}
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('compareIds', () => {
  it('orders digit strings as big integers, beyond 2^53', () => {
    expect(compareIds('9', '10')).toBeLessThan(0)
    expect(compareIds('9007199254740993', '9007199254740992')).toBeGreaterThan(0)
    expect(compareIds('123', '123')).toBe(0)
    expect(['100', '99', BIG, '1'].sort(compareIds)).toEqual(['1', '99', '100', BIG])
  })
})

describe.each([false, true])('portal snapshot round trip (gzip=%s)', (gzip) => {
  it('reads back exactly what was written, streamed and filtered', async () => {
    const dir = join(root, 'p')
    const {manifest, contacts, rows} = await writeSample(dir, gzip)
    expect(readdirSync(root)).toEqual(['p']) // temp folder renamed away
    const ext = gzip ? '.ndjson.gz' : '.ndjson'
    expect(readdirSync(dir).sort()).toEqual([`associations${ext}`, `contacts${ext}`, `deals${ext}`, 'manifest.json'])
    const p = await openPortal(dir)
    expect(p.manifest).toEqual(manifest)
    expect(p.objectType('contacts')).toMatchObject({count: 3, archivedCount: 1, file: `contacts${ext}`})
    const got = await collect(p.records('contacts'))
    expect(got).toEqual(contacts)
    expect(got[2].id).toBe(BIG)
    expect((await collect(p.records('contacts', {archived: 'only'}))).map((r) => r.id)).toEqual(['10'])
    expect((await collect(p.records('contacts', {archived: 'exclude'}))).map((r) => r.id)).toEqual(['2', BIG])
    const gotRows = await collect(p.associations())
    expect(gotRows).toHaveLength(2)
    expect(gotRows[0].types.map((t) => t.typeId)).toEqual([1, 4]) // sorted by typeId
    expect(gotRows[1]).toEqual(rows[1])
    expect(p.manifest.associationTypes).toHaveLength(2)
    expect(() => p.objectType('tickets')).toThrow(UsageError)
  })

  it('is deterministic: sorted property keys, byte-identical files', async () => {
    await writeSample(join(root, 'a'), gzip)
    await writeSample(join(root, 'b'), gzip)
    for (const f of readdirSync(join(root, 'a'))) expect(readFileSync(join(root, 'a', f)).equals(readFileSync(join(root, 'b', f)))).toBe(true)
    if (!gzip) {
      const first = JSON.parse(readFileSync(join(root, 'a', 'contacts.ndjson'), 'utf8').split('\n')[0])
      expect(Object.keys(first)).toEqual(['id', 'properties', 'createdAt', 'updatedAt', 'archived'])
      expect(Object.keys(first.properties)).toEqual([...Object.keys(first.properties)].sort())
    }
  })
})

describe('portal writer enforcement', () => {
  it('rejects ids that are not strictly increasing, compared as big integers', async () => {
    const w = await createPortalWriter(join(root, 'p'), {portalId: 1})
    w.addObjectType({name: 'contacts', objectTypeId: '0-1', properties: []})
    await w.writeRecord('contacts', rec('99'))
    await w.writeRecord('contacts', rec('100')) // '100' < '99' as strings, > as numbers
    await expect(w.writeRecord('contacts', rec('100'))).rejects.toThrow(/strictly increasing id order: got 100 after 100/)
    await expect(w.writeRecord('contacts', rec('42'))).rejects.toThrow(CrmsyncError)
    await expect(w.writeRecord('contacts', rec('0042'))).rejects.toThrow(/not a digit string/)
    await expect(w.writeRecord('deals', rec('1'))).rejects.toThrow(/Unknown object type deals/)
    await w.abort()
    expect(readdirSync(root)).toEqual([])
  })

  it('rejects object types the reader would refuse', async () => {
    const w = await createPortalWriter(join(root, 'p'), {portalId: 1})
    expect(() => w.addObjectType({name: 'Contacts', objectTypeId: '0-1', properties: []})).toThrow(/Invalid entity name/)
    expect(() => w.addObjectType({name: 'associations', objectTypeId: '0-1', properties: []})).toThrow(/Invalid entity name/)
    expect(() => w.addObjectType({name: 'contacts', objectTypeId: 'contacts', properties: []})).toThrow(/expected the form 0-1/)
    expect(() => w.addObjectType({name: 'contacts', objectTypeId: '0-1', properties: [{name: 'x', label: 'X', type: 'json' as never, fieldType: 'text'}]})).toThrow(/has type "json"/)
    await w.abort()
  })

  it('rejects association rows out of canonical order or direction', async () => {
    const w = await createPortalWriter(join(root, 'p'), {portalId: 1})
    w.addObjectType({name: 'contacts', objectTypeId: '0-1', properties: []})
    w.addObjectType({name: 'deals', objectTypeId: '0-3', properties: []})
    const t = [{category: 'HUBSPOT_DEFINED' as const, typeId: 4, label: null}]
    await w.writeAssociation({fromType: 'contacts', fromId: '9', toType: 'deals', toId: '100', types: t})
    await expect(w.writeAssociation({fromType: 'contacts', fromId: '9', toType: 'deals', toId: '99', types: t})).rejects.toThrow(/strictly increasing/)
    await expect(w.writeAssociation({fromType: 'deals', fromId: '99', toType: 'contacts', toId: '1', types: t})).rejects.toThrow(/not a canonical pair/)
    await expect(w.writeAssociation({fromType: 'contacts', fromId: '10', toType: 'deals', toId: '1', types: []})).rejects.toThrow(/no types/)
    await w.writeAssociation({fromType: 'contacts', fromId: '10', toType: 'deals', toId: '1', types: t})
    const m = await w.finish()
    expect(m.associations.count).toBe(2)
  })

  it('refuses a non-empty target unless overwrite, and replaces it atomically with overwrite', async () => {
    const dir = join(root, 'p')
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep.txt'), 'x')
    await expect(createPortalWriter(dir, {portalId: 1})).rejects.toThrow(/already exists and is not empty/)
    writeFileSync(join(root, 'file'), 'x')
    await expect(createPortalWriter(join(root, 'file'), {portalId: 1})).rejects.toThrow(/is not a folder/)
    expect(readdirSync(root).sort()).toEqual(['file', 'p'])
    const w = await createPortalWriter(dir, {portalId: 1, overwrite: true})
    expect(existsSync(join(dir, 'keep.txt'))).toBe(true) // untouched until finish
    await w.finish()
    expect(readdirSync(dir).sort()).toEqual(['associations.ndjson', 'manifest.json'])
    expect(readdirSync(root).sort()).toEqual(['file', 'p'])
  })

  it('leaves no folder that looks complete when a run is interrupted', async () => {
    const w = await createPortalWriter(join(root, 'p'), {portalId: 1})
    w.addObjectType({name: 'contacts', objectTypeId: '0-1', properties: []})
    await w.writeRecord('contacts', rec('1'))
    // not finished: only the temp folder exists, without a manifest
    expect(readdirSync(root)).toEqual([`p.tmp-${process.pid}`])
    expect(existsSync(join(root, `p.tmp-${process.pid}`, 'manifest.json'))).toBe(false)
    await expect(openPortal(join(root, 'p'))).rejects.toThrow(/does not exist/)
    await w.abort()
    expect(readdirSync(root)).toEqual([])
  })
})

describe('openPortal errors', () => {
  const expectUsage = async (dir: string, re: RegExp): Promise<UsageError> => {
    const err = await openPortal(dir).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).exitCode).toBe(2)
    expect((err as UsageError).message).toMatch(re)
    expect((err as UsageError).options.suggestion).toMatch(/crmsync portal generate|Pass the snapshot folder|Use the crmsync version/)
    return err as UsageError
  }

  it('names the missing folder, missing manifest, corrupt or unsupported manifest, and missing data file', async () => {
    await expectUsage(join(root, 'nope'), /nope does not exist/)
    mkdirSync(join(root, 'empty'))
    await expectUsage(join(root, 'empty'), /manifest\.json is missing/)
    const dir = join(root, 'p')
    await writeSample(dir, false)
    const good = readFileSync(join(dir, 'manifest.json'), 'utf8')
    writeFileSync(join(dir, 'manifest.json'), good.slice(0, 40))
    await expectUsage(dir, /manifest\.json is not valid JSON/)
    writeFileSync(join(dir, 'manifest.json'), good.replace('"formatVersion": 1', '"formatVersion": 2'))
    await expectUsage(dir, /formatVersion 2, but this crmsync reads formatVersion 1/)
    writeFileSync(join(dir, 'manifest.json'), good.replace('"portalId": 123', '"portalId": "abc"'))
    await expectUsage(dir, /not a valid portal manifest: portalId/)
    writeFileSync(join(dir, 'manifest.json'), good)
    rmSync(join(dir, 'deals.ndjson'))
    await expectUsage(dir, /deals\.ndjson is missing although manifest\.json lists it/)
  })

  it('reports a corrupt line, out-of-order ids and a corrupt gzip stream with the file name', async () => {
    const dir = join(root, 'p')
    await writeSample(dir, false)
    const file = join(dir, 'contacts.ndjson')
    const ls = readFileSync(file, 'utf8').split('\n')
    writeFileSync(file, [ls[0], '{oops', ls[2], ''].join('\n'))
    const p = await openPortal(dir)
    await expect(collect(p.records('contacts'))).rejects.toThrow(/contacts\.ndjson line 2: not valid JSON/)
    writeFileSync(file, [ls[1], ls[0], ''].join('\n'))
    await expect(collect(p.records('contacts'))).rejects.toThrow(/line 2: id 2 is not greater than the previous id 10/)

    writeFileSync(file, [ls[0], ls[1], ''].join('\n'))
    await expect(collect(p.records('contacts'))).rejects.toThrow(/holds 2 records but manifest\.json says 3 \(truncated or edited\)/)
    writeFileSync(join(dir, 'associations.ndjson'), readFileSync(join(dir, 'associations.ndjson'), 'utf8').split('\n')[0] + '\n')
    await expect(collect(p.associations())).rejects.toThrow(/holds 1 association rows but manifest\.json says 2/)

    const gz = join(root, 'g')
    await writeSample(gz, true)
    const gzFile = join(gz, 'contacts.ndjson.gz')
    const bytes = gzipSync(readFileSync(gzFile))
    writeFileSync(gzFile, bytes.subarray(0, bytes.length - 12)) // wrong content and truncated
    const pg = await openPortal(gz)
    await expect(collect(pg.records('contacts'))).rejects.toThrow(UsageError)
  })
})
