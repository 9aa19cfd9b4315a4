/** The short result `crmsync parity diff` prints and returns (`--json`). */
import {renderTerminal} from '../reports/terminal.js'
import type {ParityReport} from '../reports/report-types.js'

export interface ParityDiffResult {
  ready: boolean
  dir: string
  reportJson: string
  totals: ParityReport['totals']
  failedChecks: Array<{check: string; message: string}>
  summary: string
}

/** Summarize a written report for the terminal and for `--json`. */
export function summarizeReport(report: ParityReport, dir: string): ParityDiffResult {
  const failed = report.verdict.reasons.filter((r) => !r.ok).map((r) => ({check: r.check, message: r.message}))
  let table: string
  try {
    table = renderTerminal(report, {color: Boolean(process.stdout.isTTY)})
  } catch {
    table = ''
  }
  // the terminal renderer already shows the verdict and its reasons; without it, print them here
  const fallback = [
    `${report.verdict.ready ? 'READY' : 'NOT READY'}: ${report.totals.keysCompared} keys compared, ${report.totals.identical} identical, ${report.totals.fieldMismatches} unexplained field/edge differences, ${report.totals.explained} explained, ${report.totals.noise} noise`,
    ...failed.map((f) => `  ✗ ${f.message}`),
  ]
  const lines = [...(table === '' ? fallback : [table]), `report: ${dir}/report.json`]
  return {ready: report.verdict.ready, dir, reportJson: `${dir}/report.json`, totals: report.totals, failedChecks: failed, summary: lines.join('\n')}
}
