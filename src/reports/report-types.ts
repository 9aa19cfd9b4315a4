/**
 * report.json, schema version 1 (docs/report-schema.md). Written by the parity differ, read by every
 * renderer (terminal, Markdown, HTML) and by `crmsync report render`. Breaking changes bump
 * `schemaVersion`.
 */

export type RecordClass = 'identical' | 'modified' | 'missing_in_new' | 'missing_in_legacy' | 'duplicate_key'

/** Who is wrong about one field difference, judged against the source portal snapshot. */
export type Attribution =
  | 'legacy_defect' // new equals the normalized source, legacy does not
  | 'new_regression' // legacy equals the normalized source, new does not
  | 'both_wrong' // neither equals the source
  | 'changed_at_source' // the record changed after the legacy snapshot was taken: nobody is blamed
  | 'unattributed' // no portal snapshot given, or the record is absent from it

export interface SampleDifference {
  key: string // hubspot id
  field?: string
  legacy: unknown
  new: unknown
  source?: unknown
  attribution?: Attribution
  /** deep-diff paths for nested JSON values */
  paths?: string[]
}

export interface FieldStats {
  field: string // legacy field name
  property: string // HubSpot property or relation
  compared: number
  mismatched: number // unexplained mismatches (after normalizers, ledger and noise)
  explained: number // absorbed by known-difference rules
  noise: number // differ between two runs of the same system
  attribution: Partial<Record<Attribution, number>>
  samples: SampleDifference[] // capped
}

export interface RelationStats {
  relation: string // e.g. deal.contacts
  association: string // e.g. deals→contacts
  kind: 'fk' | 'm2m'
  recordsCompared: number
  recordsMismatched: number
  missingEdges: number // in new's set, not in legacy's
  extraEdges: number // in legacy's set, not in new's
  explained: number
  /** edges that differ between two runs of the same system (noise baseline); optional, added in v1 */
  noise?: number
  attribution: Partial<Record<Attribution, number>>
  samples: SampleDifference[]
}

export interface EntityReport {
  entity: string // crmsync entity (contacts, deals, ...)
  legacyModel: string // e.g. crm.contact
  counts: Record<RecordClass, number> & {legacyRows: number; newRows: number}
  /** records (not fields) whose every difference was explained */
  explainedRecords: number
  matchRate: number // identical-or-explained / compared keys, 0..1
  unexplainedMismatchRate: number // 0..1
  fields: FieldStats[]
  relations: RelationStats[]
  samples: Partial<Record<Exclude<RecordClass, 'identical' | 'modified'>, SampleDifference[]>>
  /** whole records missing on one side or duplicated: attribution of the unexplained ones, and how many the ledger explained (optional, added in v1) */
  records?: {attribution: Partial<Record<Attribution, number>>; explained: number}
}

export interface LedgerRuleReport {
  id: string
  rule: string
  reason: string
  owner: string
  expires: string // YYYY-MM-DD
  expired: boolean
  absorbed: number // rows (field differences) this rule explained
  /** a few of the differences this rule absorbed, for reviewers (optional, added in v1) */
  samples?: SampleDifference[]
}

export interface VerdictReason {
  check: string // e.g. "new_regressions", "unexplained_mismatch_rate:contacts"
  ok: boolean
  actual: number | string
  threshold: number | string
  message: string
}

export interface ParityReport {
  schemaVersion: 1
  runId: string
  createdAt: string
  tool: {name: 'crmsync'; version: string}
  inputs: {
    legacy: string // path or URL with any password removed
    mapping: string
    store?: string
    portal?: string
    noiseBaseline?: string
    legacySnapshotAt?: string
  }
  verdict: {ready: boolean; reasons: VerdictReason[]}
  totals: {
    keysCompared: number
    identical: number
    modified: number
    missingInNew: number
    missingInLegacy: number
    duplicateKeys: number
    fieldMismatches: number
    explained: number
    noise: number
    attribution: Partial<Record<Attribution, number>>
  }
  entities: EntityReport[]
  ledger: LedgerRuleReport[]
  performance?: {
    crmsyncSeconds?: number
    legacySeconds?: number
    ratio?: number // legacy / crmsync
    crmsyncRequests?: number
  }
  errors: Array<{entity?: string; message: string}>
}
