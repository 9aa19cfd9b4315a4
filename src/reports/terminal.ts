/** Terminal summary of a parity report, drawn with cli-table3. Colors only when asked (a TTY). */
import Table from 'cli-table3'
import type {ParityReport} from './report-types.js'
import {causeLine, meaning, nextStep} from './decision.js'
import {attributionText, fieldMatchRate, num, pct, perfRatio, secs, topMismatchedFields} from './format.js'

export interface TerminalOptions {
  /** use ANSI colors; default: process.stdout.isTTY */
  color?: boolean
  /** how many mismatched fields to list (default 10) */
  topFields?: number
}

const ANSI = {green: '\u001B[32m', red: '\u001B[31m', bold: '\u001B[1m', reset: '\u001B[0m'}

/** Strip control characters so untrusted values cannot move the cursor or recolor the terminal. */
function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001F\u007F-\u009F]/g, (c) => (c === '\n' ? ' ' : '?'))
}

/** The summary table set as one string: verdict, entities, top mismatched fields, ledger, performance. */
export function renderTerminal(report: ParityReport, opts: TerminalOptions = {}): string {
  const color = opts.color ?? Boolean(process.stdout.isTTY)
  const paint = (code: string, s: string): string => (color ? `${code}${s}${ANSI.reset}` : s)
  const style = color ? {} : {head: [] as string[], border: [] as string[]}
  const out: string[] = []

  const verdict = report.verdict.ready ? paint(ANSI.green, 'READY') : paint(ANSI.red, 'NOT READY')
  out.push(`${paint(ANSI.bold, 'Parity verdict:')} ${verdict}   (run ${safe(report.runId)}, ${safe(report.createdAt)})`)
  out.push(safe(meaning(report)))
  const causes = report.rootCauses ?? []
  if (causes.length > 0) out.push('Root causes, largest first:')
  causes.forEach((c, i) => out.push(`  ${i + 1}. ${safe(causeLine(c))}\n     next: ${safe(nextStep(c))}`))
  for (const line of report.reconciliation ?? []) out.push(`  counts: ${safe(line)}`)
  for (const u of report.unmapped ?? []) out.push(`  unmapped legacy model ${safe(u.model)}: ${num(u.rows)} rows not compared${u.ignored ? ' (ignored by the mapping)' : ''}`)
  for (const r of report.verdict.reasons) {
    const mark = r.ok ? paint(ANSI.green, 'ok  ') : paint(ANSI.red, 'FAIL')
    out.push(`  ${mark} ${safe(r.check)}: ${safe(String(r.actual))} (threshold ${safe(String(r.threshold))}) ${safe(r.message)}`)
  }

  const t = report.totals
  out.push(
    `Compared ${num(t.keysCompared)} keys: ${num(t.identical)} identical, ${num(t.modified)} modified, ${num(t.missingInNew)} missing in new, ` +
      `${num(t.missingInLegacy)} missing in legacy, ${num(t.duplicateKeys)} duplicate keys; ${num(t.fieldMismatches)} unexplained field mismatches, ` +
      `${num(t.explained)} explained, ${num(t.noise)} noise.`,
  )
  const attr = attributionText(t.attribution)
  if (attr) out.push(`Attribution: ${attr}`)

  const entities = new Table({head: ['entity', 'legacy rows', 'new rows', 'identical', 'modified', 'missing in new', 'missing in legacy', 'dup keys', 'match rate', 'unexplained'], style})
  for (const e of report.entities) {
    const c = e.counts
    entities.push([safe(e.entity), num(c.legacyRows), num(c.newRows), num(c.identical), num(c.modified), num(c.missing_in_new), num(c.missing_in_legacy), num(c.duplicate_key), pct(e.matchRate), pct(e.unexplainedMismatchRate)])
  }
  out.push(entities.toString())

  const top = topMismatchedFields(report, opts.topFields ?? 10)
  if (top.length > 0) {
    const fields = new Table({head: ['entity', 'field', 'property', 'mismatched', 'compared', 'match rate', 'attribution'], style})
    for (const {entity, field} of top) {
      fields.push([safe(entity), safe(field.field), safe(field.property), num(field.mismatched), num(field.compared), pct(fieldMatchRate(field)), attributionText(field.attribution) || '—'])
    }
    out.push('Top mismatched fields')
    out.push(fields.toString())
  } else {
    out.push('No unexplained field mismatches.')
  }

  const relations = report.entities.flatMap((e) => e.relations.filter((r) => r.recordsMismatched > 0))
  if (relations.length > 0) {
    const rel = new Table({head: ['relation', 'kind', 'records mismatched', 'missing edges', 'extra edges', 'attribution'], style})
    for (const r of relations) rel.push([safe(r.relation), r.kind, num(r.recordsMismatched), num(r.missingEdges), num(r.extraEdges), attributionText(r.attribution) || '—'])
    out.push('Relations with differences')
    out.push(rel.toString())
  }

  if (report.ledger.length > 0) {
    const ledger = new Table({head: ['ledger rule', 'absorbed', 'owner', 'expires', 'reason'], style})
    for (const l of report.ledger) {
      ledger.push([safe(`${l.id}: ${l.rule}`), num(l.absorbed), safe(l.owner), l.expired ? paint(ANSI.red, `${safe(l.expires)} EXPIRED`) : safe(l.expires), safe(l.reason)])
    }
    out.push(ledger.toString())
  }

  const p = report.performance
  if (p && (p.crmsyncSeconds !== undefined || p.legacySeconds !== undefined)) {
    const ratio = perfRatio(report)
    out.push(
      `Performance: crmsync ${secs(p.crmsyncSeconds)}${p.crmsyncRequests !== undefined ? ` (${num(p.crmsyncRequests)} requests)` : ''}, legacy ${secs(p.legacySeconds)}` +
        (ratio !== undefined ? `, legacy/crmsync ${ratio.toFixed(2)}x` : ''),
    )
  }
  for (const e of report.errors) out.push(`error${e.entity ? ` (${safe(e.entity)})` : ''}: ${safe(e.message)}`)
  return out.join('\n')
}
