/** report.md: the parity report as GitHub-flavoured Markdown (tables, collapsible samples). */
import type {EntityReport, ParityReport, SampleDifference} from './report-types.js'
import {causeLine, meaning, nextStep} from './decision.js'
import {ATTRIBUTION_LABEL, ATTRIBUTIONS, attributionText, fieldMatchRate, num, pct, perfRatio, secs, showValue} from './format.js'

/**
 * Escape untrusted text for a Markdown table cell: HTML-significant characters become entities
 * (Markdown renders raw HTML), pipes, backslashes and link/emphasis/code characters are escaped,
 * newlines become spaces.
 */
export function mdCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    // emphasis, code and link syntax; `_` is left alone (GFM never emphasizes inside words, and
    // escaping it would make every snake_case name unreadable in the raw file)
    .replace(/[`*[\]]/g, (c) => `\\${c}`)
    .replace(/\r?\n|\r/g, ' ')
}

/** Escape untrusted text inside raw HTML (the <summary> of collapsible blocks): no Markdown escapes there. */
function htmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] as string).replace(/\r?\n|\r/g, ' ')
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)]
}

function sampleRows(samples: SampleDifference[]): string[] {
  return table(
    ['key', 'field', 'legacy', 'new', 'source', 'attribution'],
    samples.map((s) => [
      mdCell(s.key),
      mdCell(s.field ?? ''),
      mdCell(showValue(s.legacy)),
      mdCell(showValue(s.new)),
      mdCell(showValue(s.source)),
      s.attribution ? ATTRIBUTION_LABEL[s.attribution] ?? mdCell(String(s.attribution)) : '',
    ]),
  )
}

function entitySection(e: EntityReport): string[] {
  const out = [`## ${mdCell(e.entity)} (${mdCell(e.legacyModel)})`, '']
  out.push(`Match rate **${pct(e.matchRate)}**, unexplained mismatch rate ${pct(e.unexplainedMismatchRate)}, ${num(e.explainedRecords)} records fully explained.`, '')
  if (e.records) out.push(`Whole records missing or duplicated: ${num(e.records.explained)} explained by the ledger; attribution of the rest: ${attributionText(e.records.attribution) || '—'}.`, '')
  if (e.fields.length > 0) {
    out.push(
      ...table(
        ['field', 'property', 'compared', 'mismatched', 'explained', 'noise', 'match rate', 'attribution'],
        e.fields.map((f) => [mdCell(f.field), mdCell(f.property), num(f.compared), num(f.mismatched), num(f.explained), num(f.noise), pct(fieldMatchRate(f)), attributionText(f.attribution) || '—']),
      ),
      '',
    )
  }
  if (e.relations.length > 0) {
    out.push(
      ...table(
        ['relation', 'association', 'kind', 'compared', 'mismatched', 'missing edges', 'extra edges', 'explained', 'noise', 'attribution'],
        e.relations.map((r) => [mdCell(r.relation), mdCell(r.association), r.kind, num(r.recordsCompared), num(r.recordsMismatched), num(r.missingEdges), num(r.extraEdges), num(r.explained), num(r.noise ?? 0), attributionText(r.attribution) || '—']),
      ),
      '',
    )
  }
  for (const f of e.fields.filter((x) => x.samples.length > 0)) {
    out.push(`<details><summary>${htmlText(e.entity)}.${htmlText(f.field)}: ${f.samples.length} sample(s)</summary>`, '', ...sampleRows(f.samples), '', '</details>', '')
  }
  for (const r of e.relations.filter((x) => x.samples.length > 0)) {
    out.push(`<details><summary>${htmlText(r.relation)}: ${r.samples.length} sample(s)</summary>`, '', ...sampleRows(r.samples), '', '</details>', '')
  }
  for (const [cls, samples] of Object.entries(e.samples)) {
    if (!samples || samples.length === 0) continue
    out.push(`<details><summary>${htmlText(e.entity)} ${htmlText(cls.replace(/_/g, ' '))}: ${samples.length} sample(s)</summary>`, '', ...sampleRows(samples), '', '</details>', '')
  }
  return out
}

/** The whole report as Markdown. Every untrusted string is escaped. */
export function renderMarkdown(report: ParityReport): string {
  const t = report.totals
  const out: string[] = [`# Parity report ${mdCell(report.runId)}`, '']
  out.push(`**Verdict: ${report.verdict.ready ? 'READY' : 'NOT READY'}** — created ${mdCell(report.createdAt)} by ${mdCell(report.tool.name)} ${mdCell(report.tool.version)}.`, '')
  out.push(mdCell(meaning(report)), '')
  const causes = report.rootCauses ?? []
  if (causes.length > 0) out.push('## Root causes', '', ...causes.map((c, i) => `${i + 1}. ${mdCell(causeLine(c))} — next: ${mdCell(nextStep(c))}`), '')
  if ((report.reconciliation ?? []).length > 0) out.push('How the counts add up:', '', ...(report.reconciliation ?? []).map((l) => `- ${mdCell(l)}`), '')
  if ((report.unmapped ?? []).length > 0) out.push('Unmapped legacy models (not compared):', '', ...(report.unmapped ?? []).map((u) => `- ${mdCell(u.model)}: ${num(u.rows)} rows${u.ignored ? ' (ignored by the mapping)' : ''}`), '')
  if (report.verdict.reasons.length > 0) {
    out.push(...table(['check', 'result', 'actual', 'threshold', 'message'], report.verdict.reasons.map((r) => [mdCell(r.check), r.ok ? 'ok' : '**FAIL**', mdCell(String(r.actual)), mdCell(String(r.threshold)), mdCell(r.message)])), '')
  }
  out.push('## Inputs', '', ...table(['input', 'value'], Object.entries(report.inputs).filter(([, v]) => v !== undefined).map(([k, v]) => [mdCell(k), mdCell(String(v))])), '')
  out.push(
    '## Totals',
    '',
    ...table(
      ['keys compared', 'identical', 'modified', 'missing in new', 'missing in legacy', 'duplicate keys', 'field mismatches', 'explained', 'noise'],
      [[t.keysCompared, t.identical, t.modified, t.missingInNew, t.missingInLegacy, t.duplicateKeys, t.fieldMismatches, t.explained, t.noise].map(num)],
    ),
    '',
  )
  const attr = ATTRIBUTIONS.filter((a) => (t.attribution[a] ?? 0) > 0)
  if (attr.length > 0) out.push('### Attribution', '', ...table(['attribution', 'differences'], attr.map((a) => [ATTRIBUTION_LABEL[a], num(t.attribution[a] ?? 0)])), '')
  out.push(
    '## Entities',
    '',
    ...table(
      ['entity', 'legacy rows', 'new rows', 'identical', 'modified', 'missing in new', 'missing in legacy', 'duplicate keys', 'match rate'],
      report.entities.map((e) => [mdCell(e.entity), ...[e.counts.legacyRows, e.counts.newRows, e.counts.identical, e.counts.modified, e.counts.missing_in_new, e.counts.missing_in_legacy, e.counts.duplicate_key].map(num), pct(e.matchRate)]),
    ),
    '',
  )
  for (const e of report.entities) out.push(...entitySection(e))
  if (report.ledger.length > 0) {
    out.push('## Known-differences ledger', '', ...table(['id', 'rule', 'absorbed', 'owner', 'expires', 'reason'], report.ledger.map((l) => [mdCell(l.id), mdCell(l.rule), num(l.absorbed), mdCell(l.owner), `${mdCell(l.expires)}${l.expired ? ' **EXPIRED**' : ''}`, mdCell(l.reason)])), '')
  }
  const p = report.performance
  if (p) {
    const ratio = perfRatio(report)
    out.push('## Performance', '', ...table(['crmsync', 'legacy', 'legacy / crmsync', 'crmsync requests'], [[secs(p.crmsyncSeconds), secs(p.legacySeconds), ratio === undefined ? '—' : `${ratio.toFixed(2)}x`, p.crmsyncRequests === undefined ? '—' : num(p.crmsyncRequests)]]), '')
  }
  if (report.errors.length > 0) out.push('## Errors', '', ...report.errors.map((e) => `- ${e.entity ? `${mdCell(e.entity)}: ` : ''}${mdCell(e.message)}`), '')
  return out.join('\n')
}
