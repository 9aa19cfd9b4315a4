import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import type {AssociationRow} from '../../src/core/records.js'
import {openStore} from '../../src/store/open.js'

let dir: string
const rec = (id: string, properties: Record<string, string | null> = {}) => ({id, properties, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-02-01T00:00:00.000Z', archived: false})
const edge = (fromType: string, fromId: string, toType: string, toId: string): AssociationRow => ({fromType, fromId, toType, toId, types: [{category: 'HUBSPOT_DEFINED', typeId: 1, label: null}]})
const line = (model: string, pk: number, fields: Record<string, unknown>) => JSON.stringify({model, pk, fields})

function mapping(pick: 'first' | 'any', extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    entities: {
      divisions: {model: 'crm.division', table: 'crm_division', key: {legacy: 'hubspot_id'}, fields: {}},
      contacts: {
        model: 'crm.contact',
        table: 'crm_contact',
        key: {legacy: 'hubspot_id'},
        fields: {phone: {property: 'phone', normalize: ['trim'], normalizeLegacy: ['trim'], normalizeNew: ['truncate:8']}},
        relations: {division: {kind: 'fk', target: 'divisions', field: 'division', pick}},
      },
    },
    verdict: {maxUnexplainedMismatchRate: 1},
    ...extra,
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-rel-'))
  const store = openStore(join(dir, 'store.db'))
  store.ensureEntity({entity: 'divisions', properties: []})
  store.ensureEntity({entity: 'contacts', properties: []})
  store.applyRecords('t', 'divisions', [rec('7'), rec('8'), rec('9')], null)
  store.applyRecords('t', 'contacts', [rec('100', {phone: '555-0100 ext 9'}), rec('101', {phone: '555-0101'}), rec('102', {phone: null})], null)
  // contact 100 is in divisions 8 and 9 (first = 8); 101 in 7; 102 in none
  store.replaceAssociations(
    't',
    'contacts',
    'divisions',
    ['100', '101', '102'],
    [edge('contacts', '100', 'divisions', '9'), edge('contacts', '100', 'divisions', '8'), edge('contacts', '101', 'divisions', '7')],
    null,
  )
  store.close()
  writeFileSync(join(dir, 'legacy.jsonl'), legacyRows(3, 1)) // 100 → division 9 (not the first), 101 → 7
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function legacyRows(fk100: number, fk101: number | null): string {
  return [
    line('crm.division', 1, {hubspot_id: '7'}),
    line('crm.division', 2, {hubspot_id: '8'}),
    line('crm.division', 3, {hubspot_id: '9'}),
    line('crm.contact', 10, {hubspot_id: '100', phone: ' 555-0100 ', division: fk100}),
    line('crm.contact', 11, {hubspot_id: '101', phone: '555-0101', division: fk101}),
    line('crm.contact', 12, {hubspot_id: '102', phone: null, division: null}),
  ].join('\n')
}

async function diff(m: unknown, extra: Record<string, string> = {}) {
  writeFileSync(join(dir, 'm.json'), JSON.stringify(m))
  return (await runParityDiff({legacy: join(dir, 'legacy.jsonl'), mapping: join(dir, 'm.json'), db: join(dir, 'store.db'), out: join(dir, 'r'), render: false, ...extra})).report
}

describe('relations', () => {
  it('FK `pick: first`: a legacy FK to an associated record that is not the first is one missing and one extra edge', async () => {
    const r = (await diff(mapping('first'))).entities.find((e) => e.entity === 'contacts')!
    expect(r.relations[0]).toMatchObject({relation: 'contacts.division', kind: 'fk', recordsCompared: 3, recordsMismatched: 1, missingEdges: 1, extraEdges: 1})
    expect(r.relations[0].samples.map((s) => s.paths)).toEqual([['missing:8'], ['extra:9']])
    // normalizeNew only on the new side: "555-0100 ext 9" cut to 8 equals the legacy " 555-0100 " trimmed
    expect(r.fields[0]).toMatchObject({field: 'phone', compared: 3, mismatched: 0})
  })

  it('FK `pick: any`: any associated record is right', async () => {
    const r = (await diff(mapping('any'))).entities.find((e) => e.entity === 'contacts')!
    expect(r.relations[0]).toMatchObject({missingEdges: 0, extraEdges: 0, recordsMismatched: 0})
    expect(r.counts.identical).toBe(3)
  })

  it('a ledger rule `fk-not-first` explains it, and counts it', async () => {
    const rule = {
      id: 'api-order',
      entity: 'contacts',
      field: 'division',
      class: 'relation',
      when: 'fk-not-first',
      reason: 'legacy read associations in another order',
      owner: 'crm-team',
      expires: '2099-01-01',
    }
    const report = await diff(mapping('first', {ledger: [rule]}))
    const r = report.entities.find((e) => e.entity === 'contacts')!
    expect(r.relations[0]).toMatchObject({missingEdges: 0, extraEdges: 0, explained: 2})
    expect(r.explainedRecords).toBe(1)
    expect(report.ledger[0].absorbed).toBe(2)
  })

  it('an edge whose presence differs between two legacy runs is noise; the others stay mismatches', async () => {
    // run A: 100 → 9 (not first), 101 → 8 (new says 7); run B (baseline): 100 → 9, 101 → none
    writeFileSync(join(dir, 'a.jsonl'), legacyRows(3, 2))
    writeFileSync(join(dir, 'b.jsonl'), legacyRows(3, null))
    writeFileSync(join(dir, 'm.json'), JSON.stringify(mapping('first')))
    const {report} = await runParityDiff({
      legacy: join(dir, 'a.jsonl'),
      noiseBaseline: join(dir, 'b.jsonl'),
      mapping: join(dir, 'm.json'),
      db: join(dir, 'store.db'),
      out: join(dir, 'r'),
      render: false,
    })
    const rel = report.entities.find((e) => e.entity === 'contacts')!.relations[0]
    // 100: missing 8 + extra 9, the same in both runs; 101: missing 7 (absent from both runs), extra 8 (only in run A) → noise
    expect(rel).toMatchObject({missingEdges: 2, extraEdges: 1, noise: 1})
    expect(report.totals.noise).toBe(1)
  })
})
