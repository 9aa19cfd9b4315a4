/**
 * `crmsync parity gate --days N`: the parallel run's sign-off. Passes only when each of the last N
 * calendar days (UTC, today included) has at least one report that is READY, has zero differences
 * attributed `new_regression`, and names no ledger rule that has expired (by the report's own flag
 * or by today's date). On a pass, `<out>/signoff.json` lists the reports that satisfied each day with
 * the SHA-256 of their report.json as read now.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import {writeFileAtomic} from '../../reports/atomic-write.js'
import {sha256, syncIndex, type IndexEntry} from './report-index.js'

export interface GateDay {
  day: string
  ok: boolean
  /** the reports of the day that satisfy the gate */
  satisfied: Array<{runId: string; dir: string; sha256: string}>
  /** why the day fails (empty when ok) */
  reasons: string[]
}

export interface GateResult {
  passed: boolean
  days: number
  /** today (UTC), the last day of the window */
  today: string
  window: GateDay[]
  /** the first failing day, when the gate fails */
  failedDay?: string
  /** signoff.json, written when the gate passes */
  signoff?: string
  summary: string
}

/** Why one report does not satisfy the gate (empty: it does). */
export function reportProblems(e: IndexEntry, today: string): string[] {
  const p: string[] = []
  if (!e.ready) p.push(`NOT READY${e.failedChecks?.length ? `: ${e.failedChecks.join(', ')}` : ''}`)
  if (e.newRegressions > 0) p.push(`${e.newRegressions} new regression${e.newRegressions === 1 ? '' : 's'}`)
  const expired = e.ledger.filter((r) => r.expired || r.expires < today)
  if (expired.length > 0) p.push(`expired ledger rule${expired.length === 1 ? '' : 's'} ${expired.map((r) => `${r.id} (${r.expires})`).join(', ')}`)
  return p
}

/** The N UTC calendar days ending today, oldest first. */
export function windowDays(days: number, now: Date): string[] {
  const out: string[] = []
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  for (let i = days - 1; i >= 0; i--) out.push(new Date(start - i * 86_400_000).toISOString().slice(0, 10))
  return out
}

/** Evaluate the gate over the reports under `out`; writes signoff.json when it passes. */
export async function runGate(out: string, days: number, now = new Date()): Promise<GateResult> {
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days ${days} is not a positive whole number of days`, 'pass e.g. --days 5')
  const index = await syncIndex(out)
  const today = now.toISOString().slice(0, 10)
  const window: GateDay[] = []
  for (const day of windowDays(days, now)) {
    const reports = index.reports.filter((e) => e.createdAt.slice(0, 10) === day)
    const d: GateDay = {day, ok: false, satisfied: [], reasons: []}
    if (reports.length === 0) d.reasons.push('no report')
    for (const e of reports) {
      const problems = reportProblems(e, today)
      if (problems.length > 0) {
        d.reasons.push(`${e.runId}: ${problems.join('; ')}`)
        continue
      }
      // the evidence is the file as it is now, not as it was indexed
      const text = await readFile(join(out, e.dir, 'report.json')).catch(() => undefined)
      if (text === undefined) d.reasons.push(`${e.runId}: report.json is gone`)
      else d.satisfied.push({runId: e.runId, dir: e.dir, sha256: sha256(text)})
    }
    d.ok = d.satisfied.length > 0
    if (d.ok) d.reasons = []
    window.push(d)
  }
  const failed = window.filter((d) => !d.ok)
  const passed = failed.length === 0
  const result: GateResult = {passed, days, today, window, summary: ''}
  if (passed) {
    const signoff = join(out, 'signoff.json')
    const evidence = {signedOffAt: now.toISOString(), days, window: window.map((d) => ({day: d.day, reports: d.satisfied}))}
    await writeFileAtomic(signoff, `${JSON.stringify(evidence, null, 2)}\n`)
    result.signoff = signoff
    result.summary = `PASSED: each of the last ${days} UTC days (${window[0].day} to ${today}) has a READY report with zero new regressions and no expired ledger rule; evidence in ${signoff}`
  } else {
    result.failedDay = failed[0].day
    result.summary = [
      `FAILED: ${failed.length} of the last ${days} UTC days (${window[0].day} to ${today}) lack a READY report with zero new regressions and no expired ledger rule`,
      ...failed.map((d) => `  ${d.day}: ${d.reasons.join(' | ')}`),
    ].join('\n')
  }
  return result
}
