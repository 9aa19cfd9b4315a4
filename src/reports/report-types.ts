/**
 * report.json, schema version 2 (docs/report-schema.md; version 1 reports are still read). Written by the parity differ, read by every
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
  | 'mapping_convention' // a diagnosed representation convention explains it: the mapping is wrong, not legacy (v2)

/** A suggested mapping change: a normalizer (same value, other form) or a ledger rule (a behaviour to accept). */
export interface Suggestion {
  type: 'normalizer' | 'ledger'
  /** one sentence for a human */
  text: string
  /** the fragment `crmsync parity suggest` merges into the mapping (objects merged, `ledger` appended, other arrays replaced) */
  mapping: Record<string, unknown>
}

/** One classified pattern of differences (v2). */
export interface Diagnosis {
  pattern: string // timezone-shift, digits-only, count-cap, ...
  count: number
  /** what the pattern found, e.g. "legacy takes the date in UTC" */
  detail: string
  example: SampleDifference | null
  /** attribution of the differences this pattern holds (fields and relations) */
  attribution?: Partial<Record<Attribution, number>>
  /** for entity `records` diagnoses: which missing class the pattern is about */
  recordClass?: 'missing_in_legacy' | 'missing_in_new'
  suggestion?: Suggestion
  /** `segment` only: the property the differing records share, its value (null: absent), the share of the differing and of the other records with it, and shareInDiffering ÷ the share among all of them */
  property?: string
  value?: string | null
  shareInDiffering?: number
  shareInOthers?: number
  lift?: number
}

/** A root cause: one defect counted once, with the differences it causes elsewhere (v2). */
export interface RootCause {
  id: string
  entity: string
  kind: 'missing_in_legacy' | 'missing_in_new' | 'field' | 'relation' | 'duplicate_key'
  count: number
  /** the attribution most of its differences have */
  attribution: Attribution
  /** every attribution with its count */
  attributions: Partial<Record<Attribution, number>>
  field?: string
  relation?: string
  diagnosis?: string
  detail?: string
  suggestion?: Suggestion
  consequences: Array<{relation: string; count: number}>
}

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
  /** values equal only after a normalizer, per normalizer that changed a value (v2) */
  normalizedEqual?: Record<string, number>
  diagnoses?: Diagnosis[] // v2
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
  /** edges whose other record is missing on that side: consequences of that missing record (v2) */
  consequenceMissingEdges?: number
  independentMissingEdges?: number
  consequenceExtraEdges?: number
  independentExtraEdges?: number
  /** records whose relation differs only as a consequence of a missing record / independently (v2) */
  consequenceRecords?: number
  independentRecords?: number
  diagnoses?: Diagnosis[] // v2
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
  records?: {
    attribution: Partial<Record<Attribution, number>>
    explained: number
    diagnoses?: Diagnosis[]
    /** per class: records the ledger did not explain, with their attribution (v2) */
    classes?: Partial<Record<'missing_in_new' | 'missing_in_legacy' | 'duplicate_key', {unexplained: number; attribution: Partial<Record<Attribution, number>>}>>
  }
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
  schemaVersion: 1 | 2
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
    /** per entity: keys both sides have / keys of the smaller side (v2) */
    overlap?: Array<{entity: string; legacyKeys: number; newKeys: number; commonKeys: number; overlap: number}>
    /** where the source side of the three-way attribution came from: a portal snapshot, the live portal (`--adjudicate`), or nowhere (nothing attributed) */
    attributionSource?: 'portal' | 'live' | 'none'
    /** one sentence saying where the source side came from, or plainly that nothing was attributed */
    attributionNote?: string
    /** `--adjudicate`: the disputed records read live from the portal */
    adjudication?: Adjudication
  }
  /** legacy models no mapping names, with their row counts (v2); `ignored` when listed in legacy.ignoreModels */
  unmapped?: Array<{model: string; rows: number; ignored?: boolean}>
  /** root causes, largest first (v2) */
  rootCauses?: RootCause[]
  /** how the counts add up, one sentence each (v2) */
  reconciliation?: string[]
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
    /** edge differences that are consequences of a missing record (not in fieldMismatches) (v2) */
    consequences?: number
  }
  entities: EntityReport[]
  ledger: LedgerRuleReport[]
  performance?: {
    crmsyncSeconds?: number
    legacySeconds?: number
    ratio?: number // legacy / crmsync
    crmsyncRequests?: number
    /** the rate limits each side ran under (`parity run`; an added field, schemaVersion unchanged) */
    pacing?: {
      /** the emulator's limit for every client, e.g. "190/10s (...), enforced and advertised", or "none" */
      emulator: string
      /** the emulator's search bucket, e.g. "5/s", or "none" */
      search: string
      /** what crmsync paced itself by, and where that came from */
      crmsync: string
      /** the limit the legacy sync met */
      legacy: string
      /** true when crmsync's pacing equals the limit the legacy sync met */
      same: boolean
      /** present when they differ: what differs and how to make the run fair */
      warning?: string
    }
  }
  errors: Array<{entity?: string; message: string}>
}

/** Live adjudication of the disputed records (`parity diff --adjudicate`). */
export interface Adjudication {
  /** when the live read started (ISO 8601, UTC) */
  readAt: string
  /** records that differed and were read live, per entity */
  disputed: Record<string, number>
  /** records the portal returned (live or archived) */
  found: number
  /** HTTP requests adjudication made: object batch reads and v4 association batch reads */
  requests: {objects: number; associations: number; total: number}
}
