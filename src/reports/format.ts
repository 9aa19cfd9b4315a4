/** Small formatting helpers shared by the report renderers (terminal, Markdown, HTML). */
import type {Attribution, FieldStats, ParityReport, RecordClass} from './report-types.js'

/** Every attribution in the order renderers show them. */
export const ATTRIBUTIONS: Attribution[] = ['new_regression', 'legacy_defect', 'mapping_convention', 'both_wrong', 'changed_at_source', 'unattributed']

/** Human labels for attributions. */
export const ATTRIBUTION_LABEL: Record<Attribution, string> = {
  new_regression: 'new regression',
  // a legacy defect the ledger has not accepted: legacy behaves differently from HubSpot and nobody signed it off
  legacy_defect: 'unacknowledged behaviour change',
  mapping_convention: 'mapping convention',
  both_wrong: 'both wrong',
  changed_at_source: 'changed at source',
  unattributed: 'unattributed',
}

/** Record classes in display order. */
export const RECORD_CLASSES: RecordClass[] = ['identical', 'modified', 'missing_in_new', 'missing_in_legacy', 'duplicate_key']

/** A 0..1 rate as a percentage with one decimal ("99.5%"); non-finite values show as "n/a". */
export function pct(rate: number): string {
  if (!Number.isFinite(rate)) return 'n/a'
  const p = rate * 100
  // never round a non-perfect rate up to 100.0% or a non-zero one down to 0.0%
  if (p > 99.95 && p < 100) return '99.9%'
  if (p > 0 && p < 0.05) return '0.1%'
  return `${p.toFixed(1)}%`
}

/** An integer with thousands separators. */
export function num(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : 'n/a'
}

/** Match rate of one field: (compared - unexplained mismatches) / compared; 1 when nothing compared. */
export function fieldMatchRate(f: Pick<FieldStats, 'compared' | 'mismatched'>): number {
  return f.compared > 0 ? (f.compared - f.mismatched) / f.compared : 1
}

/** A sample value for display: strings JSON-quoted (so "" and null differ), long values cut. */
export function showValue(v: unknown, max = 300): string {
  let s: string
  if (v === undefined) s = '—'
  else if (typeof v === 'string') s = JSON.stringify(v)
  else {
    try {
      s = JSON.stringify(v) ?? String(v)
    } catch {
      s = String(v)
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** Attribution counts as "legacy defect 3, new regression 1" (non-zero only), or "" when none. */
export function attributionText(a: Partial<Record<Attribution, number>>): string {
  return ATTRIBUTIONS.filter((k) => (a[k] ?? 0) > 0)
    .map((k) => `${ATTRIBUTION_LABEL[k]} ${num(a[k] ?? 0)}`)
    .join(', ')
}

/** A field together with its entity, for cross-entity rankings. */
export interface RankedField {
  entity: string
  field: FieldStats
}

/** Fields with unexplained mismatches, worst first (by count, then rate, then name). */
export function topMismatchedFields(report: ParityReport, limit = 10): RankedField[] {
  const all: RankedField[] = []
  for (const e of report.entities) for (const f of e.fields) if (f.mismatched > 0) all.push({entity: e.entity, field: f})
  all.sort(
    (a, b) =>
      b.field.mismatched - a.field.mismatched ||
      fieldMatchRate(a.field) - fieldMatchRate(b.field) ||
      `${a.entity}.${a.field.field}`.localeCompare(`${b.entity}.${b.field.field}`),
  )
  return all.slice(0, limit)
}

/** The performance ratio (legacy / crmsync), computed when the report omits it. */
export function perfRatio(report: ParityReport): number | undefined {
  const p = report.performance
  if (!p) return undefined
  if (p.ratio !== undefined) return p.ratio
  if (p.legacySeconds !== undefined && p.crmsyncSeconds !== undefined && p.crmsyncSeconds > 0) return p.legacySeconds / p.crmsyncSeconds
  return undefined
}

/** Seconds as "12.34 s". */
export function secs(s: number | undefined): string {
  return s === undefined || !Number.isFinite(s) ? '—' : `${s.toFixed(2)} s`
}
