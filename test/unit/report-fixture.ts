/** A hand-built ParityReport (schemaVersion 1) with hostile strings, shared by the report tests. */
import type {ParityReport} from '../../src/reports/report-types.js'

export const XSS = '<script>alert(1)</script>'
export const NASTY_PROP = `q"'&<>x`

/** A NOT READY report: 2 entities, one new regression, legacy defects, a ledger rule, performance. */
export function sampleReport(): ParityReport {
  return {
    schemaVersion: 1,
    runId: 'run-test-001',
    createdAt: '2026-11-28T12:00:00.000Z',
    tool: {name: 'crmsync', version: '0.1.0'},
    inputs: {legacy: 'fixtures/demo/legacy/dumpdata.json.gz', mapping: 'fixtures/mappings/legacy-django.json', portal: 'fixtures/demo/portal', legacySnapshotAt: '2026-11-01T00:00:00Z'},
    verdict: {
      ready: false,
      reasons: [
        {check: 'new_regressions', ok: false, actual: 1, threshold: 0, message: '1 field difference where legacy matches the source and crmsync does not'},
        {check: 'unexplained_mismatch_rate:contacts', ok: true, actual: 0.02, threshold: 0.05, message: 'contacts within threshold'},
      ],
    },
    totals: {
      keysCompared: 250,
      identical: 230,
      modified: 15,
      missingInNew: 2,
      missingInLegacy: 3,
      duplicateKeys: 0,
      fieldMismatches: 12,
      explained: 40,
      noise: 0,
      attribution: {legacy_defect: 9, new_regression: 1, changed_at_source: 2},
    },
    entities: [
      {
        entity: 'contacts',
        legacyModel: 'crm.contact',
        counts: {identical: 180, modified: 14, missing_in_new: 2, missing_in_legacy: 3, duplicate_key: 0, legacyRows: 196, newRows: 197},
        explainedRecords: 6,
        matchRate: 0.9186,
        unexplainedMismatchRate: 0.02,
        fields: [
          {
            field: 'email',
            property: 'email',
            compared: 194,
            mismatched: 8,
            explained: 30,
            noise: 0,
            attribution: {legacy_defect: 7, new_regression: 1},
            samples: [
              {key: '101', field: 'email', legacy: XSS, new: 'a@example.com', source: 'a@example.com', attribution: 'legacy_defect'},
              {key: '102', field: 'email', legacy: 'b@example.com', new: '', source: 'b@example.com', attribution: 'new_regression'},
            ],
          },
          {field: NASTY_PROP, property: NASTY_PROP, compared: 194, mismatched: 0, explained: 10, noise: 0, attribution: {}, samples: []},
        ],
        relations: [
          {
            relation: 'contact.division',
            association: 'contacts→divisions',
            kind: 'fk',
            recordsCompared: 194,
            recordsMismatched: 2,
            missingEdges: 1,
            extraEdges: 1,
            explained: 0,
            noise: 3,
            attribution: {legacy_defect: 2},
            samples: [{key: '103', field: 'division', legacy: ['7'], new: ['8'], source: ['8'], attribution: 'legacy_defect'}],
          },
        ],
        samples: {missing_in_new: [{key: '104', legacy: {email: 'gone@example.com'}, new: null}]},
        records: {attribution: {legacy_defect: 2}, explained: 3},
      },
      {
        entity: 'deals',
        legacyModel: 'crm.deal',
        counts: {identical: 50, modified: 1, missing_in_new: 0, missing_in_legacy: 0, duplicate_key: 0, legacyRows: 51, newRows: 51},
        explainedRecords: 0,
        matchRate: 0.98,
        unexplainedMismatchRate: 0.0196,
        fields: [
          {
            field: 'amount',
            property: 'amount',
            compared: 51,
            mismatched: 1,
            explained: 0,
            noise: 0,
            attribution: {changed_at_source: 1},
            samples: [{key: '201', field: 'amount', legacy: '10.00', new: '12.00', source: '12', attribution: 'changed_at_source'}],
          },
        ],
        relations: [],
        samples: {},
      },
    ],
    ledger: [
      {id: 'L1', rule: 'contacts.email lowercase', reason: 'legacy lowercases emails', owner: 'data-team', expires: '2027-06-30', expired: false, absorbed: 30},
      {id: 'L2', rule: `contacts.${NASTY_PROP} trim`, reason: 'old <b>rule</b>', owner: 'ops', expires: '2026-01-01', expired: true, absorbed: 10},
    ],
    performance: {crmsyncSeconds: 2.5, legacySeconds: 10, ratio: 4, crmsyncRequests: 42},
    errors: [],
  }
}

/** The same report as schemaVersion 2 with root causes (largest first), one carrying hostile text. */
export function sampleReportV2(): ParityReport {
  const r = sampleReport()
  return {
    ...r,
    schemaVersion: 2,
    unmapped: [{model: `crm.${XSS}`, rows: 3}],
    reconciliation: ['records: 250 keys = …'],
    rootCauses: [
      {
        id: 'contacts.missing_in_legacy',
        entity: 'contacts',
        kind: 'missing_in_legacy',
        count: 40,
        attribution: 'legacy_defect',
        attributions: {legacy_defect: 40},
        diagnosis: 'count-cap',
        detail: 'legacy holds exactly 10,000 contacts',
        consequences: [{relation: 'deals.contacts', count: 12}],
      },
      {
        id: 'contacts.email.whitespace',
        entity: 'contacts',
        kind: 'field',
        field: 'email',
        count: 7,
        attribution: 'legacy_defect',
        attributions: {legacy_defect: 7},
        diagnosis: 'whitespace',
        detail: XSS,
        consequences: [],
      },
      {id: 'contacts.email', entity: 'contacts', kind: 'field', field: 'email', count: 1, attribution: 'new_regression', attributions: {new_regression: 1}, consequences: []},
    ],
  }
}
