/** Markdown, HTML (self-contained, inline SVG trend chart per entity, every value escaped) and terminal views of a report history. */
import {CSS, contentSecurityPolicy} from '../../reports/html-assets.js'
import {mdCell} from '../../reports/markdown.js'
import {barChart, esc} from '../../reports/svg-charts.js'
import type {ReportHistory} from './history.js'

const verdictText = (ready: boolean): string => (ready ? 'READY' : 'NOT READY')
const countsText = (counts: number[]): string => counts.join(' → ')

/** Plain text for the terminal. */
export function renderHistoryText(h: ReportHistory): string {
  if (h.runs.length === 0) return `no reports under ${h.out}${h.since ? ` since ${h.since}` : ''}`
  const lines = [`${h.runs.length} report${h.runs.length === 1 ? '' : 's'} under ${h.out}${h.since ? ` since ${h.since}` : ''} (oldest first):`]
  for (const r of h.runs) {
    const causes = r.rootCauses.map((c) => `${c.id} ${c.count} (${c.trend})`).join(', ')
    lines.push(`  ${r.createdAt}  ${verdictText(r.ready).padEnd(9)}  ${r.runId}  ${causes || 'no root causes'}`)
  }
  if (h.rootCauses.length > 0) lines.push('root causes across the runs:')
  for (const c of h.rootCauses) lines.push(`  ${c.trend.padEnd(9)}  ${c.id}: ${countsText(c.counts)}`)
  return lines.join('\n')
}

/** history.md */
export function renderHistoryMarkdown(h: ReportHistory): string {
  const out = [`# Parity history`, '', `${h.runs.length} report(s) under \`${mdCell(h.out)}\`${h.since ? ` since ${h.since}` : ''}, oldest first. Days are UTC.`, '']
  out.push('## Runs', '', '| created | run | verdict | new regressions | source | root causes (trend) |', '|---|---|---|---:|---|---|')
  for (const r of h.runs)
    out.push(
      `| ${r.createdAt} | ${mdCell(r.runId)} | ${verdictText(r.ready)} | ${r.newRegressions} | ${r.source} | ${mdCell(r.rootCauses.map((c) => `${c.id} ${c.count} (${c.trend})`).join(', ') || 'none')} |`,
    )
  out.push('', '## Root causes', '', '| root cause | entity | trend | counts per run |', '|---|---|---|---|')
  for (const c of h.rootCauses) out.push(`| ${mdCell(c.id)} | ${mdCell(c.entity)} | ${c.trend} | ${countsText(c.counts)} |`)
  out.push('', '## Differences per entity and run', '')
  for (const e of h.entities) {
    out.push(`### ${mdCell(e.entity)}`, '', '| run | differences |', '|---|---:|')
    e.counts.forEach((n, i) => out.push(`| ${mdCell(h.runs[i].runId)} | ${n} |`))
    out.push('')
  }
  return `${out.join('\n')}\n`
}

/** history.html: one self-contained page, no script, a CSP, a trend chart (bars per run) per entity. */
export function renderHistoryHtml(h: ReportHistory): string {
  const runs = h.runs
    .map(
      (r) =>
        `<tr><td>${esc(r.createdAt)}</td><td>${esc(r.runId)}</td><td class="${r.ready ? 'ok' : 'bad'}">${verdictText(r.ready)}</td><td class="n">${r.newRegressions}</td><td>${esc(r.source)}</td><td>${esc(r.rootCauses.map((c) => `${c.id} ${c.count} (${c.trend})`).join(', ') || 'none')}</td></tr>`,
    )
    .join('')
  const causes = h.rootCauses.map((c) => `<tr><td>${esc(c.id)}</td><td>${esc(c.entity)}</td><td>${esc(c.trend)}</td><td>${esc(countsText(c.counts))}</td></tr>`).join('')
  const charts = h.entities
    .map((e) => {
      const max = Math.max(1, ...e.counts)
      const bars = e.counts.map((n, i) => ({
        label: `${h.runs[i].createdAt.slice(0, 16)} ${h.runs[i].ready ? 'READY' : 'NOT READY'}`,
        value: n,
        text: String(n),
        cls: h.runs[i].ready ? 'good' : 'poor',
      }))
      return `<h3>${esc(e.entity)}</h3>${barChart(`${e.entity}: unexplained differences per run`, bars, max)}`
    })
    .join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy())}"><title>Parity history</title><style>${CSS}</style></head><body><main>
<h1>Parity history</h1><p class="meta">${runs.length === 0 ? 'no reports' : `${h.runs.length} report(s)`} under ${esc(h.out)}${h.since ? ` since ${esc(h.since)}` : ''}, oldest first; days are UTC.</p>
<h2>Runs</h2><table><thead><tr><th>created</th><th>run</th><th>verdict</th><th>new regressions</th><th>source</th><th>root causes (trend)</th></tr></thead><tbody>${runs}</tbody></table>
<h2>Root causes</h2><table><thead><tr><th>root cause</th><th>entity</th><th>trend</th><th>counts per run</th></tr></thead><tbody>${causes}</tbody></table>
<h2>Trend per entity</h2>${charts || '<p>no differences in any run</p>'}
</main></body></html>
`
}
