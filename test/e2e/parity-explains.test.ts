/**
 * Parity that explains itself (issue 9), against an independently written legacy variant
 * (test/helpers/legacy-variant.ts): exact root causes, consequences and diagnoses; the suggest loop;
 * normalizedEqual of a legacy that does not do what the mapping documents; unrelated inputs; an
 * extra model; identical data.
 */
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {runParityDiff} from '../../src/parity/parity-diff.js'
import {writeSyntheticPortal} from '../../src/parity/synthetic-portal.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import {assertBuilt, crmsync} from '../helpers/cli.js'
import {VariantSource, writeLegacyVariant, type Expected} from '../helpers/legacy-variant.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
const SNAPSHOT_AT = '2026-01-01T00:00:00Z'
const opts = {contacts: 10_600, deals: 700, appointments: 400, divisions: 5, seed: 9}
let dir: string
let src: VariantSource
let ex: Expected

beforeAll(async () => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-explains-'))
  src = new VariantSource(opts)
  await writeSyntheticPortal(src, join(dir, 'portal'), '2025-12-31T00:00:00.000Z')
  // the store a correct new sync writes (the simulator's legacy output is thrown away)
  await simulateLegacy({source: src, legacy: {path: join(dir, 'unused.jsonl'), format: 'jsonl'}, store: join(dir, 'store.db'), snapshotAt: SNAPSHOT_AT})
  ex = await writeLegacyVariant(
    src,
    join(dir, 'legacy.json'),
    {bookkeeping: true, contactCap: 10_000, dropLastDealPage: true, edgeCap: 2, phoneDigits: true, amountTruncated: true, closeDateUtc: true},
    SNAPSHOT_AT,
  )
}, 300_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const diff = (legacy: string, out: string, mapping = MAPPING) => runParityDiff({legacy, mapping, db: join(dir, 'store.db'), portal: join(dir, 'portal'), out: join(dir, out), render: true})
const field = (r: ParityReport, e: string, f: string) => r.entities.find((x) => x.entity === e)?.fields.find((x) => x.field === f)
const rel = (r: ParityReport, name: string) => r.entities.flatMap((e) => e.relations).find((x) => x.relation === name)

describe('parity diff explains an independently built legacy variant', () => {
  it('every root cause, consequence and diagnosis with its exact count; suggest + second diff fixes close_date', async () => {
    // the variant really has every defect (guards against a helper that silently makes none)
    expect(ex.missingContacts).toBe(600)
    expect(ex.missingDeals).toBe(100)
    for (const k of ['phoneDigits', 'amountTruncated', 'closeDateUtc', 'cappedEdges', 'consequenceDealContacts', 'consequenceApptContact', 'consequenceApptDeal'] as const)
      expect(ex[k]).toBeGreaterThan(2)
    const warnings: string[] = []
    const {report, dir: out} = await runParityDiff({
      legacy: join(dir, 'legacy.json'),
      mapping: MAPPING,
      db: join(dir, 'store.db'),
      portal: join(dir, 'portal'),
      out: join(dir, 'r1'),
      onWarning: (m) => warnings.push(m),
    })
    const diagnoses = (list: Array<{pattern: string; count: number}> | undefined) => (list ?? []).map((d) => [d.pattern, d.count])
    const observed = {
      ready: report.verdict.ready,
      unmapped: report.unmapped,
      rootCauses: report.rootCauses?.map((c) => ({id: c.id, count: c.count, attribution: c.attribution, diagnosis: c.diagnosis, consequences: c.consequences, suggestion: c.suggestion?.type})),
      diagnoses: {
        phone: diagnoses(field(report, 'contacts', 'phone')?.diagnoses),
        amount: diagnoses(field(report, 'deals', 'amount')?.diagnoses),
        close_date: diagnoses(field(report, 'deals', 'close_date')?.diagnoses),
        'deals.contacts': diagnoses(rel(report, 'deals.contacts')?.diagnoses),
        contacts: diagnoses(report.entities.find((e) => e.entity === 'contacts')?.records?.diagnoses),
        deals: diagnoses(report.entities.find((e) => e.entity === 'deals')?.records?.diagnoses),
      },
      relations: ['deals.contacts', 'appointments.contact', 'appointments.deal'].map((n) => {
        const r = rel(report, n)
        return [n, r?.missingEdges, r?.consequenceMissingEdges, r?.independentMissingEdges, r?.extraEdges, r?.consequenceRecords, r?.independentRecords]
      }),
      emailNormalizedEqual: field(report, 'contacts', 'email')?.normalizedEqual,
      totals: {consequences: report.totals.consequences, fieldMismatches: report.totals.fieldMismatches},
    }
    const cappedRecords = rel(report, 'deals.contacts')?.independentRecords ?? 0
    expect(observed).toEqual({
      ready: false,
      unmapped: [{model: 'crm.synccursor', rows: 3}],
      rootCauses: [
        {id: 'deals.contacts.per-record-cap', count: ex.cappedEdges, attribution: 'legacy_defect', diagnosis: 'per-record-cap', consequences: [], suggestion: 'ledger'},
        {id: 'contacts.phone.digits-only', count: ex.phoneDigits, attribution: 'mapping_convention', diagnosis: 'digits-only', consequences: [], suggestion: 'normalizer'},
        {
          id: 'contacts.missing_in_legacy',
          count: 600,
          attribution: 'legacy_defect',
          diagnosis: 'count-cap',
          consequences: [
            {relation: 'deals.contacts', count: ex.consequenceDealContacts},
            {relation: 'appointments.contact', count: ex.consequenceApptContact},
          ],
          suggestion: 'ledger',
        },
        {id: 'deals.close_date.timezone-shift', count: ex.closeDateUtc, attribution: 'mapping_convention', diagnosis: 'timezone-shift', consequences: [], suggestion: 'normalizer'},
        {id: 'deals.amount.decimal-truncated', count: ex.amountTruncated, attribution: 'mapping_convention', diagnosis: 'decimal-truncated', consequences: [], suggestion: 'normalizer'},
        {
          id: 'deals.missing_in_legacy',
          count: 100,
          attribution: 'legacy_defect',
          diagnosis: 'tail-missing',
          consequences: [{relation: 'appointments.deal', count: ex.consequenceApptDeal}],
          suggestion: 'ledger',
        },
      ].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1)),
      diagnoses: {
        phone: [['digits-only', ex.phoneDigits]],
        amount: [['decimal-truncated', ex.amountTruncated]],
        close_date: [['timezone-shift', ex.closeDateUtc]],
        'deals.contacts': [['per-record-cap', ex.cappedEdges]],
        contacts: [
          ['count-cap', 600],
          ['tail-missing', 600],
        ],
        deals: [['tail-missing', 100]],
      },
      relations: [
        [
          'deals.contacts',
          ex.consequenceDealContacts + ex.cappedEdges,
          ex.consequenceDealContacts,
          ex.cappedEdges,
          0,
          rel(report, 'deals.contacts')?.recordsMismatched ? (rel(report, 'deals.contacts')?.recordsMismatched ?? 0) - cappedRecords : 0,
          cappedRecords,
        ],
        ['appointments.contact', ex.consequenceApptContact, ex.consequenceApptContact, 0, 0, ex.consequenceApptContact, 0],
        ['appointments.deal', ex.consequenceApptDeal, ex.consequenceApptDeal, 0, 0, ex.consequenceApptDeal, 0],
      ],
      emailNormalizedEqual: {trim: ex.trimmedEqual, lowercase: ex.trimmedEqual + ex.lowercaseOnly},
      totals: {consequences: ex.consequenceDealContacts + ex.consequenceApptContact + ex.consequenceApptDeal, fieldMismatches: ex.cappedEdges + ex.phoneDigits + ex.closeDateUtc + ex.amountTruncated},
    })
    expect(report.schemaVersion).toBe(2)
    expect(report.inputs.overlap?.find((o) => o.entity === 'contacts')).toEqual({entity: 'contacts', legacyKeys: 10_000, newKeys: 10_600, commonKeys: 10_000, overlap: 1})
    expect(report.reconciliation?.[2]).toContain(
      `${600 + 100} unexplained missing or duplicated records + ${ex.phoneDigits + ex.closeDateUtc + ex.amountTruncated} field values + ${ex.cappedEdges} relation edges`,
    )
    expect(warnings).toEqual([expect.stringMatching(/crm\.synccursor \(3 rows\) is not in the mapping/)])

    // the loop: accept only the timezone suggestion, diff again through the CLI
    const next = join(dir, 'mapping.next.json')
    const s = await crmsync(['parity', 'suggest', out, '--mapping', MAPPING, '--out', next, '--only', 'deals.close_date.timezone-shift'])
    expect(s.stderr).toBe('')
    expect(s.code).toBe(0)
    expect(JSON.parse(readFileSync(next, 'utf8')).entities.deals.fields.close_date.normalize).toEqual(['date:UTC'])
    const d2 = await crmsync([
      'parity',
      'diff',
      '--legacy',
      join(dir, 'legacy.json'),
      '--mapping',
      next,
      '--db',
      join(dir, 'store.db'),
      '--portal',
      join(dir, 'portal'),
      '--out',
      join(dir, 'r2'),
      '--json',
    ])
    expect(d2.code).toBe(1)
    expect(d2.stderr).toMatch(/crm\.synccursor \(3 rows\) is not in the mapping/)
    const r2 = JSON.parse(readFileSync(join(JSON.parse(d2.stdout).dir, 'report.json'), 'utf8')) as ParityReport
    expect(field(r2, 'deals', 'close_date')).toMatchObject({mismatched: 0, diagnoses: []})
    expect(field(r2, 'deals', 'amount')?.mismatched).toBe(ex.amountTruncated)
  }, 240_000)

  it('a legacy that lowercases but does not trim emails: found, counted, diagnosed; normalizedEqual exact', async () => {
    const e = await writeLegacyVariant(src, join(dir, 'legacy-email.json'), {emailNotTrimmed: true}, SNAPSHOT_AT)
    const {report} = await diff(join(dir, 'legacy-email.json'), 'r-email')
    const email = field(report, 'contacts', 'email')
    expect(e.paddedEmails).toBeGreaterThan(2)
    expect({
      mismatched: email?.mismatched,
      attribution: email?.attribution,
      normalizedEqual: email?.normalizedEqual,
      diagnoses: email?.diagnoses?.map((d) => [d.pattern, d.count, d.suggestion?.type]),
      causes: report.rootCauses?.map((c) => [c.id, c.count]),
    }).toEqual({
      mismatched: e.paddedEmails,
      attribution: {legacy_defect: e.paddedEmails},
      normalizedEqual: {lowercase: e.lowercaseOnly},
      diagnoses: [['whitespace', e.paddedEmails, 'ledger']],
      causes: [['contacts.email.whitespace', e.paddedEmails]],
    })
    expect(readFileSync(join(dir, 'r-email', report.runId, 'report.md'), 'utf8')).toContain('unacknowledged behaviour change')
  }, 120_000)

  it('identical data: 0 root causes, 0 diagnoses, READY', async () => {
    await writeLegacyVariant(src, join(dir, 'legacy-same.json'), {}, SNAPSHOT_AT)
    const {report} = await diff(join(dir, 'legacy-same.json'), 'r-same')
    const allDiagnoses = report.entities.flatMap((e) => [...e.fields.flatMap((f) => f.diagnoses ?? []), ...e.relations.flatMap((r) => r.diagnoses ?? []), ...(e.records?.diagnoses ?? [])])
    expect({ready: report.verdict.ready, rootCauses: report.rootCauses, diagnoses: allDiagnoses, unmapped: report.unmapped}).toEqual({ready: true, rootCauses: [], diagnoses: [], unmapped: []})
  }, 120_000)

  it('unrelated inputs (another portal): exit 2, no report, the message names the overlap', async () => {
    await writeLegacyVariant(new VariantSource(opts, 17), join(dir, 'legacy-other.json'), {}, SNAPSHOT_AT)
    const r = await crmsync(['parity', 'diff', '--legacy', join(dir, 'legacy-other.json'), '--mapping', MAPPING, '--db', join(dir, 'store.db'), '--out', join(dir, 'r-other')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/share too few record keys \(divisions: 0 of 5|contacts: 0 of 10600 keys in common \(overlap 0\.0%\)/)
    expect(r.stderr).toMatch(/describe the same portal.*--allow-low-overlap/)
    expect(existsSync(join(dir, 'r-other')) ? readdirSync(join(dir, 'r-other')) : []).toEqual([])
    const ok = await crmsync([
      'parity',
      'diff',
      '--legacy',
      join(dir, 'legacy-other.json'),
      '--mapping',
      MAPPING,
      '--db',
      join(dir, 'store.db'),
      '--out',
      join(dir, 'r-other'),
      '--allow-low-overlap',
      '--json',
    ])
    expect(ok.code).toBe(1)
  }, 120_000)

  it('a typo in a mapped property is exit 2 naming it; --strict-models refuses the bookkeeping model', async () => {
    const m = JSON.parse(readFileSync(MAPPING, 'utf8'))
    m.entities.contacts.fields.email.property = 'emial'
    const typo = join(dir, 'typo.json')
    writeFileSync(typo, JSON.stringify(m))
    const r = await crmsync(['parity', 'diff', '--legacy', join(dir, 'legacy-same.json'), '--mapping', typo, '--db', join(dir, 'store.db'), '--out', join(dir, 'r-typo')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/entities\.contacts\.fields\.email\.property: "emial" is not a property of contacts.*did you mean "email"/)
    const strict = await crmsync(['parity', 'diff', '--legacy', join(dir, 'legacy.json'), '--mapping', MAPPING, '--db', join(dir, 'store.db'), '--out', join(dir, 'r-strict'), '--strict-models'])
    expect(strict.code).toBe(2)
    expect(strict.stderr).toMatch(/model "crm\.synccursor", which the mapping does not know/)
  }, 120_000)
})
