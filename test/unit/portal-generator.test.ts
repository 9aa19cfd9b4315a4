import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ASSOCIATION_PAIRS, OBJECTS} from '../../src/connectors/hubspot/objects.js'
import {UsageError} from '../../src/core/errors.js'
import {generatePortal, type GenerateOptions} from '../../src/portal/generator.js'
import {IdLayout} from '../../src/portal/generate/ids.js'
import {SHARED_MS} from '../../src/portal/generate/world.js'
import {openPortal, type PortalReader} from '../../src/portal/snapshot.js'
import {compareIds} from '../../src/core/ids.js'
import type {PortalManifest} from '../../src/portal/types.js'
import type {AssociationRow, CrmRecord} from '../../src/core/records.js'

let root: string
const base = (out: string, extra: Partial<GenerateOptions> = {}): GenerateOptions => ({out, contacts: 400, deals: 200, appointments: 100, divisions: 6, seed: 7, customProperties: 14, ...extra})
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const EPOCH_MIDNIGHT = (v: string | null): boolean => v !== null && /^\d{12,13}$/.test(v) && Number(v) % 86_400_000 === 0

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

function filesEqual(a: string, b: string): void {
  const fa = readdirSync(a).sort()
  expect(readdirSync(b).sort()).toEqual(fa)
  for (const f of fa) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true)
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'crmsync-gen-'))
})
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('generated portal: every edge case is present', () => {
  let p: PortalReader
  let manifest: PortalManifest
  const recs: Record<string, CrmRecord[]> = {}
  let rows: AssociationRow[]

  beforeAll(async () => {
    manifest = await generatePortal(base(join(root, 'edge')))
    p = await openPortal(join(root, 'edge'))
    for (const o of p.manifest.objects) recs[o.name] = await all(p.records(o.name))
    rows = await all(p.associations())
  })

  it('writes a manifest that matches the files', () => {
    expect(p.manifest).toEqual(manifest)
    expect(manifest.source).toEqual({kind: 'generate', seed: 7})
    expect(manifest.objects.map((o) => [o.name, o.count])).toEqual([
      ['contacts', 400],
      ['deals', 200],
      ['appointments', 100],
      ['divisions', 6],
    ])
    for (const o of manifest.objects) expect(recs[o.name].filter((r) => r.archived)).toHaveLength(o.archivedCount)
    expect(manifest.associations.count).toBe(rows.length)
  })

  it('has every legacy property, hs_object_id, create and modified dates consistent with the record', () => {
    for (const o of manifest.objects) {
      const names = o.properties.map((d) => d.name)
      for (const prop of [...OBJECTS[o.name].defaultProperties, 'hs_object_id', 'hs_merged_object_ids']) expect(names, `${o.name}.${prop}`).toContain(prop)
      const createProp = names.includes('createdate') ? 'createdate' : 'hs_createdate'
      const modified = OBJECTS[o.name].modifiedProperty
      for (const r of recs[o.name]) {
        expect(Object.keys(r.properties).sort()).toEqual([...names].sort())
        expect(r.properties.hs_object_id).toBe(r.id)
        expect(r.properties[modified]).toBe(r.updatedAt)
        expect(r.properties[createProp]).toBe(r.createdAt)
        expect(r.createdAt).toMatch(ISO)
        expect(r.updatedAt >= r.createdAt).toBe(true)
        for (const v of Object.values(r.properties)) expect(v === null || typeof v === 'string').toBe(true)
      }
    }
  })

  it('has unicode and >100-character names, messy e-mails, null and empty values', () => {
    const c = recs.contacts
    expect(c.some((r) => /[^\x00-\x7f]/.test(r.properties.firstname ?? ''))).toBe(true)
    expect(c.some((r) => (r.properties.firstname ?? '').length > 100 && (r.properties.lastname ?? '').length > 100)).toBe(true)
    expect(c.some((r) => /[A-Z]/.test(r.properties.email ?? '') && r.properties.email !== r.properties.email?.trim())).toBe(true)
    expect(c.some((r) => r.properties.email === null)).toBe(true)
    expect(c.some((r) => r.properties.email === '')).toBe(true)
    expect(c.some((r) => r.properties.phone === '')).toBe(true)
    expect(c.some((r) => r.properties.lifecyclestage === null)).toBe(true)
    expect(recs.deals.some((r) => r.properties.dealname!.length > 100)).toBe(true)
    expect(recs.divisions.some((r) => r.properties.division_name!.length > 100)).toBe(true)
  })

  it('has amounts with many decimals, dates as epoch-ms strings and datetimes as ISO', () => {
    const d = recs.deals
    expect(d.some((r) => /^-?\d+\.\d{8,}$/.test(r.properties.amount ?? ''))).toBe(true)
    expect(d.some((r) => r.properties.amount === null) && d.some((r) => r.properties.amount === '')).toBe(true)
    expect(d.filter((r) => r.properties.closedate !== null).every((r) => EPOCH_MIDNIGHT(r.properties.closedate))).toBe(true)
    expect(d.some((r) => r.properties.closedate !== null)).toBe(true)
    for (const r of recs.appointments) if (r.properties.hs_appointment_start !== null) expect(r.properties.hs_appointment_start).toMatch(ISO)
  })

  it('adds custom properties of every type (definitions in the manifest, SQL keywords as names)', () => {
    const defs = p.objectType('contacts').properties.filter((d) => !d.hubspotDefined)
    expect(defs).toHaveLength(14)
    expect(new Set(defs.map((d) => d.type))).toEqual(new Set(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']))
    expect(defs.map((d) => d.name)).toContain('order')
    for (const def of defs) {
      const values = recs.contacts.map((r) => r.properties[def.name]).filter((v): v is string => v !== null && v !== '')
      expect(values.length, def.name).toBeGreaterThan(0)
      if (def.type === 'date') expect(values.every(EPOCH_MIDNIGHT)).toBe(true)
      if (def.type === 'datetime') expect(values.every((v) => ISO.test(v))).toBe(true)
      if (def.type === 'number') expect(values.every((v) => Number.isFinite(Number(v)))).toBe(true)
      if (def.type === 'bool') expect(values.every((v) => v === 'true' || v === 'false')).toBe(true)
      if (def.type === 'enumeration') expect(values.every((v) => v.split(';').every((x) => def.options!.some((o) => o.value === x)))).toBe(true)
    }
    expect(p.objectType('divisions').properties.filter((d) => !d.hubspotDefined)).toHaveLength(14 + 4)
  })

  it('has ids of varying length, some above 2^53, strictly increasing', () => {
    for (const o of manifest.objects) {
      const ids = recs[o.name].map((r) => r.id)
      for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i], ids[i - 1])).toBeGreaterThan(0)
    }
    const ids = recs.contacts.map((r) => r.id)
    expect(new Set(ids.map((id) => id.length)).size).toBeGreaterThanOrEqual(5)
    expect(ids.some((id) => BigInt(id) > 2n ** 53n)).toBe(true)
    expect(ids.some((id) => id.length === 19)).toBe(true)
  })

  it('shares one modified timestamp across a tenth of the contacts by default', () => {
    expect(recs.contacts.filter((r) => r.updatedAt === new Date(SHARED_MS).toISOString())).toHaveLength(40)
  })

  it('has archived records with archivedAt, and merged contacts whose losers are gone everywhere', () => {
    const archived = recs.contacts.filter((r) => r.archived)
    expect(archived.length).toBeGreaterThan(0)
    for (const r of archived) expect(r.archivedAt).toBe(r.updatedAt)
    for (const r of recs.contacts.filter((x) => !x.archived)) expect(r.archivedAt).toBeUndefined()
    const survivors = recs.contacts.filter((r) => r.properties.hs_merged_object_ids !== null)
    expect(survivors.some((r) => r.properties.hs_merged_object_ids!.split(';').length === 2)).toBe(true)
    const allIds = new Set(recs.contacts.map((r) => r.id))
    const losers = survivors.flatMap((r) => r.properties.hs_merged_object_ids!.split(';'))
    for (const l of losers) {
      expect(l).toMatch(/^\d+$/)
      expect(allIds.has(l)).toBe(false)
      expect(rows.some((row) => (row.fromType === 'contacts' && row.fromId === l) || (row.toType === 'contacts' && row.toId === l))).toBe(false)
    }
  })

  it('stores associations once, canonical, sorted, between live records, with >100 per record and several types', () => {
    const live = Object.fromEntries(manifest.objects.map((o) => [o.name, new Set(recs[o.name].filter((r) => !r.archived).map((r) => r.id))]))
    for (const row of rows) {
      expect(ASSOCIATION_PAIRS.some(([f, t]) => f === row.fromType && t === row.toType)).toBe(true)
      expect(live[row.fromType].has(row.fromId)).toBe(true)
      expect(live[row.toType].has(row.toId)).toBe(true)
      for (const t of row.types)
        expect(manifest.associationTypes.some((d) => d.fromType === row.fromType && d.toType === row.toType && d.typeId === t.typeId && d.category === t.category && d.label === t.label)).toBe(true)
    }
    const maxBy = (pred: (r: AssociationRow) => boolean, key: (r: AssociationRow) => string): number => {
      const m = new Map<string, number>()
      for (const r of rows.filter(pred)) m.set(key(r), (m.get(key(r)) ?? 0) + 1)
      return Math.max(...m.values())
    }
    expect(
      maxBy(
        (r) => r.toType === 'deals',
        (r) => r.toId,
      ),
    ).toBeGreaterThan(100) // one deal, >100 contacts
    expect(
      maxBy(
        (r) => r.fromType === 'contacts' && r.toType === 'deals',
        (r) => r.fromId,
      ),
    ).toBeGreaterThan(100) // one contact, >100 deals
    expect(
      maxBy(
        (r) => r.toType === 'divisions' && r.fromType === 'contacts',
        (r) => r.toId,
      ),
    ).toBeGreaterThan(100)
    expect(rows.some((r) => r.types.length >= 3)).toBe(true)
    expect(rows.some((r) => r.types.some((t) => t.category === 'USER_DEFINED' && t.label === 'Decision maker'))).toBe(true)
    for (const [f, t] of ASSOCIATION_PAIRS)
      expect(
        rows.some((r) => r.fromType === f && r.toType === t),
        `${f}→${t}`,
      ).toBe(true)
  })

  it('declares association types in both directions with inverse ids, including contact↔deal 4/3', () => {
    const at = manifest.associationTypes
    expect(at).toContainEqual({fromType: 'contacts', toType: 'deals', category: 'HUBSPOT_DEFINED', typeId: 4, label: null, inverseTypeId: 3})
    expect(at).toContainEqual({fromType: 'deals', toType: 'contacts', category: 'HUBSPOT_DEFINED', typeId: 3, label: null, inverseTypeId: 4})
    for (const d of at) expect(at.some((x) => x.fromType === d.toType && x.toType === d.fromType && x.typeId === d.inverseTypeId && x.inverseTypeId === d.typeId)).toBe(true)
  })

  it('describes divisions as a custom object with a schemas-API-shaped schema', () => {
    const d = p.objectType('divisions')
    expect(d.objectTypeId).toMatch(/^2-\d+$/)
    expect(d.fullyQualifiedName).toBe(`p${manifest.portalId}_divisions`)
    expect(d.schema).toMatchObject({
      objectTypeId: d.objectTypeId,
      fullyQualifiedName: d.fullyQualifiedName,
      name: 'divisions',
      labels: {singular: 'Division', plural: 'Divisions'},
      primaryDisplayProperty: 'division_name',
    })
    expect((d.schema!.properties as Array<{name: string}>).map((x) => x.name)).toContain('is_active')
    expect(p.objectType('appointments').objectTypeId).toBe('0-421')
  })
})

describe('generator determinism and options', () => {
  it('same options give byte-identical files (plain and gzip); another seed differs', async () => {
    await generatePortal(base(join(root, 'd1'), {contacts: 300}))
    await generatePortal(base(join(root, 'd2'), {contacts: 300}))
    filesEqual(join(root, 'd1'), join(root, 'd2'))
    await generatePortal(base(join(root, 'g1'), {contacts: 300, gzip: true}))
    await generatePortal(base(join(root, 'g2'), {contacts: 300, gzip: true}))
    filesEqual(join(root, 'g1'), join(root, 'g2'))
    expect(readdirSync(join(root, 'g1'))).toContain('contacts.ndjson.gz')
    const plain = await all((await openPortal(join(root, 'd1'))).records('deals'))
    expect(await all((await openPortal(join(root, 'g1'))).records('deals'))).toEqual(plain)
    await generatePortal(base(join(root, 'd3'), {contacts: 300, seed: 8}))
    expect(readFileSync(join(root, 'd3', 'contacts.ndjson')).equals(readFileSync(join(root, 'd1', 'contacts.ndjson')))).toBe(false)
  })

  it('supports more than 10,000 contacts sharing one modified timestamp', async () => {
    const out = join(root, 'shared')
    await generatePortal({out, contacts: 10_500, deals: 0, appointments: 0, divisions: 0, seed: 3, sharedTimestamp: 10_200})
    const shared = new Date(SHARED_MS).toISOString()
    let n = 0
    for await (const r of (await openPortal(out)).records('contacts')) if (r.updatedAt === shared && r.properties.lastmodifieddate === shared) n++
    expect(n).toBe(10_200)
  })

  it('rejects bad options with UsageError (exit 2) and a non-empty --out without force, writing nothing', async () => {
    const bad: Array<[Partial<GenerateOptions>, RegExp]> = [
      [{contacts: -1}, /--contacts must be a whole number/],
      [{deals: 1.5}, /--deals must be a whole number/],
      [{seed: -3}, /--seed/],
      [{archivedRatio: 2}, /--archived-ratio must be a number from 0 to 1/],
      [{sharedTimestamp: 500}, /--shared-timestamp 500 is more than --contacts 400/],
      [{out: ''}, /--out is required/],
    ]
    for (const [o, re] of bad) {
      const err = await generatePortal(base(join(root, 'bad'), o)).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(UsageError)
      expect((err as UsageError).exitCode).toBe(2)
      expect((err as UsageError).message).toMatch(re)
    }
    const busy = join(root, 'busy')
    mkdirSync(busy)
    writeFileSync(join(busy, 'x'), 'keep')
    await expect(generatePortal(base(busy))).rejects.toThrow(/not empty/)
    expect(readdirSync(busy)).toEqual(['x'])
    expect(readdirSync(root).some((f) => f.startsWith('bad') || f.includes('.tmp-'))).toBe(false)
    await generatePortal(base(busy, {contacts: 10, deals: 5, appointments: 5, divisions: 2, force: true}))
    expect(readdirSync(busy)).toContain('manifest.json')
    expect(readdirSync(busy)).not.toContain('x')
  })

  it('stops on an abort signal and removes its temporary folder', async () => {
    const ac = new AbortController()
    ac.abort()
    const out = join(root, 'aborted')
    await expect(generatePortal({out, contacts: 10_000, deals: 0, appointments: 0, divisions: 0, seed: 1}, {signal: ac.signal})).rejects.toThrow(/interrupted/)
    expect(readdirSync(root).some((f) => f.startsWith('aborted'))).toBe(false)
  })

  it('archived-ratio 0 gives no archived record; tiny and empty portals work', async () => {
    const m = await generatePortal({out: join(root, 'tiny'), contacts: 2, deals: 1, appointments: 0, divisions: 0, seed: 1, archivedRatio: 0})
    expect(m.objects.map((o) => o.archivedCount)).toEqual([0, 0, 0, 0])
    const e = await generatePortal({out: join(root, 'empty'), contacts: 0, deals: 0, appointments: 0, divisions: 0, seed: 1})
    expect(e.associations.count).toBe(0)
    expect(await all((await openPortal(join(root, 'empty'))).records('contacts'))).toEqual([])
  })
})

describe('id layout', () => {
  it('is strictly increasing across every length segment, and free (merged) ids are never used', () => {
    const l = new IdLayout(5000, 9, 0)
    const ids = Array.from({length: 5000}, (_, i) => l.id(i))
    for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i], ids[i - 1])).toBeGreaterThan(0)
    const set = new Set(ids)
    for (let i = 0; i < 5000; i += 37) for (const f of l.freeIds(i, 2)) expect(set.has(f)).toBe(false)
    expect(new Set(ids.map((x) => x.length)).size).toBeGreaterThanOrEqual(6)
  })
})
