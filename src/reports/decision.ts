/**
 * The decision-first opening every rendering shares: the verdict, one sentence on what it means,
 * the root causes largest first (count, attribution, diagnosis, next step) and how the counts
 * reconcile. Plain strings: each renderer escapes them for its medium.
 */
import type {ParityReport, RootCause} from './report-types.js'
import {ATTRIBUTION_LABEL, num} from './format.js'

/** One sentence on what the verdict means. */
export function meaning(r: ParityReport): string {
  const causes = r.rootCauses
  if (!causes) return r.verdict.ready ? 'Every readiness check passed.' : 'At least one readiness check failed (a version 1 report: no root causes recorded).'
  const regressions = causes.filter((c) => c.attribution === 'new_regression' || c.attribution === 'both_wrong').length
  const legacy = causes.filter((c) => c.attribution === 'legacy_defect' || c.attribution === 'mapping_convention').length
  const rest = causes.length - regressions - legacy
  const head = regressions === 0 ? 'crmsync matches HubSpot everywhere it was compared' : `crmsync differs from HubSpot in ${regressions} way(s), which blocks cutover`
  const tail = legacy === 0 ? (regressions === 0 && rest === 0 ? '; legacy matches too' : '') : `; legacy differs from HubSpot (or the mapping misdescribes it) in ${legacy} way(s)`
  const other = rest === 0 ? '' : `; ${rest} more changed at the source after the snapshot or cannot be judged without a portal snapshot`
  const note = r.inputs.attributionNote ? ` ${r.inputs.attributionNote}` : ''
  return `${head}${tail}${other}.${note}`
}

/** The next step for a root cause, in words. */
export function nextStep(c: RootCause): string {
  if (c.suggestion) {
    const what = c.suggestion.type === 'normalizer' ? 'fix the mapping' : c.diagnosis === 'segment' ? 'investigate the legacy filter, or accept the behaviour' : 'accept the behaviour'
    return `${what}: ${c.suggestion.text} (crmsync parity suggest --only ${c.id})`
  }
  if (c.attribution === 'new_regression' || c.attribution === 'both_wrong') return 'fix crmsync before cutover'
  if (c.attribution === 'changed_at_source') return 'nothing: the record changed after the legacy snapshot'
  if (c.attribution === 'unattributed') return 'diff with --portal to learn which side is wrong'
  return 'decide: accept it in the ledger (reason, owner, expiry) or fix legacy'
}

/** A root cause as one line of text (count, what, attribution, diagnosis, consequences). */
export function causeLine(c: RootCause): string {
  const what = c.kind === 'field' ? `${c.entity}.${c.field}` : c.kind === 'relation' ? `${c.relation}` : `${c.entity} ${c.kind.replace(/_/g, ' ')}`
  const diag = c.diagnosis ? ` [${c.diagnosis}${c.detail ? `: ${c.detail}` : ''}]` : ''
  const cons = c.consequences.length > 0 ? `; also causes ${c.consequences.map((x) => `${num(x.count)} ${x.relation}`).join(', ')}` : ''
  return `${num(c.count)} ${what}: ${ATTRIBUTION_LABEL[c.attribution] ?? c.attribution}${diag}${cons}`
}

/** What the report's colours mean (HTML legend, terminal note). */
export const LEGEND: Array<[string, string]> = [
  ['new_regression', 'new regression: crmsync is wrong, blocks cutover'],
  ['legacy_defect', 'unacknowledged behaviour change: legacy differs from HubSpot and no ledger rule accepts it'],
  ['mapping_convention', 'mapping convention: the same value in another form; fix the mapping'],
  ['both_wrong', 'both wrong'],
  ['changed_at_source', 'changed at source after the legacy snapshot: nobody is blamed'],
  ['unattributed', 'unattributed: no portal snapshot to judge'],
]
