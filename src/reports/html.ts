/** report.html: one self-contained page (inline CSS, inline SVG, one hashed inline script, no network). */
import type {ParityReport} from './report-types.js'
import {ATTRIBUTION_LABEL, ATTRIBUTIONS, num, pct, perfRatio, secs} from './format.js'
import {CSS, SCRIPT, contentSecurityPolicy} from './html-assets.js'
import {causeLine, LEGEND, meaning, nextStep} from './decision.js'
import {entitySection, rateClass} from './html-entity.js'
import {barChart, esc, stackedBar} from './svg-charts.js'

function card(n: string, label: string, cls = ''): string {
  return `<div class="card ${cls}"><div class="n">${n}</div><div class="l">${esc(label)}</div></div>`
}

function verdictBanner(report: ParityReport): string {
  const ready = report.verdict.ready
  const reasons = report.verdict.reasons
    .map(
      (r) =>
        `<li class="reason ${r.ok ? 'ok' : 'fail'}" data-check="${esc(r.check)}">${r.ok ? '✔' : '✘'} <strong>${esc(r.check)}</strong>: ${esc(r.message)} ` +
        `(actual ${esc(r.actual)}, threshold ${esc(r.threshold)})</li>`,
    )
    .join('')
  return (
    `<div id="verdict" class="banner ${ready ? 'ready' : 'not-ready'}"><div class="verdict">${ready ? 'READY' : 'NOT READY'}</div>` +
    `<div id="meaning">${esc(meaning(report))}</div>${rootCauses(report)}<ul>${reasons}</ul></div>`
  )
}

/** The root causes, largest first, with the next step; the reconciliation; unmapped models; the colour legend. */
function rootCauses(report: ParityReport): string {
  const causes = (report.rootCauses ?? []).map((c) => `<li class="cause a-${esc(c.attribution)}" data-id="${esc(c.id)}"><strong>${esc(causeLine(c))}</strong><br><span class="meta">next: ${esc(nextStep(c))}</span></li>`).join('')
  const recon = (report.reconciliation ?? []).map((l) => `<li>${esc(l)}</li>`).join('')
  const unmapped = (report.unmapped ?? []).map((u) => `<li>${esc(u.model)}: ${num(u.rows)} rows not compared${u.ignored ? ' (ignored by the mapping)' : ''}</li>`).join('')
  const legend = LEGEND.map(([k, text]) => `<li><span class="swatch a-${esc(k)}"></span>${esc(text)}</li>`).join('')
  return (
    (causes ? `<h2>Root causes, largest first</h2><ol id="root-causes">${causes}</ol>` : '') +
    (recon ? `<ul id="reconciliation" class="meta">${recon}</ul>` : '') +
    (unmapped ? `<p>Unmapped legacy models:</p><ul id="unmapped">${unmapped}</ul>` : '') +
    `<ul id="legend" class="legend meta">${legend}</ul>`
  )
}

/** An input value as text: the key overlap per entity in words, any other object as JSON. */
function inputValue(key: string, v: unknown): string {
  if (key === 'overlap' && Array.isArray(v)) {
    return (v as NonNullable<ParityReport['inputs']['overlap']>)
      .map((o) => `${o.entity}: ${(o.overlap * 100).toFixed(1)}% (${num(o.commonKeys)} keys in common; legacy ${num(o.legacyKeys)}, crmsync ${num(o.newKeys)})`)
      .join('; ')
  }
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)
}

function inputs(report: ParityReport): string {
  const rows = Object.entries(report.inputs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(inputValue(k, v))}</td></tr>`)
    .join('')
  return `<table class="inputs"><tbody>${rows}</tbody></table>`
}

function totals(report: ParityReport): string {
  const t = report.totals
  return `<div class="cards" id="totals">${[
    card(num(t.keysCompared), 'keys compared'),
    card(num(t.identical), 'identical'),
    card(num(t.modified), 'modified'),
    card(num(t.missingInNew), 'missing in new'),
    card(num(t.missingInLegacy), 'missing in legacy'),
    card(num(t.duplicateKeys), 'duplicate keys'),
    card(num(t.fieldMismatches), 'unexplained field mismatches'),
    card(num(t.explained), 'explained differences'),
    card(num(t.noise), 'noise'),
  ].join('')}</div>`
}

function entitiesOverview(report: ParityReport): string {
  const chart = barChart(
    'Match rate per entity',
    report.entities.map((e) => ({label: e.entity, value: e.matchRate, text: pct(e.matchRate), cls: rateClass(e.matchRate)})),
    1,
  )
  const rows = report.entities
    .map((e, i) => {
      const c = e.counts
      const cells = [c.legacyRows, c.newRows, c.identical, c.modified, c.missing_in_new, c.missing_in_legacy, c.duplicate_key].map((n) => `<td class="n">${num(n)}</td>`).join('')
      return `<tr data-search="${esc(e.entity.toLowerCase())}"><td><a href="#entity-${i}">${esc(e.entity)}</a></td>${cells}<td class="n">${pct(e.matchRate)}</td><td class="n">${pct(e.unexplainedMismatchRate)}</td></tr>`
    })
    .join('')
  return (
    `<h2>Entities</h2>${chart}<table id="entities"><thead><tr><th>entity</th><th>legacy rows</th><th>new rows</th><th>identical</th><th>modified</th>` +
    `<th>missing in new</th><th>missing in legacy</th><th>duplicate keys</th><th>match rate</th><th>unexplained</th></tr></thead><tbody>${rows}</tbody></table>`
  )
}

function attribution(report: ParityReport): string {
  const a = report.totals.attribution
  const segs = ATTRIBUTIONS.map((k) => ({label: ATTRIBUTION_LABEL[k], value: a[k] ?? 0, cls: `a-${k}`}))
  return `<h2>Attribution of differences</h2><p class="meta">Who is wrong about each field difference, judged against the source portal snapshot.</p>${stackedBar('Attribution breakdown', segs)}`
}

function ledger(report: ParityReport): string {
  if (report.ledger.length === 0) return `<h2>Known-differences ledger</h2><p class="meta">No ledger rules in the mapping.</p>`
  const rows = report.ledger
    .map(
      (l) =>
        `<tr data-search="${esc(`${l.id} ${l.rule} ${l.reason} ${l.owner}`.toLowerCase())}"><td>${esc(l.id)}</td><td>${esc(l.rule)}</td><td class="n">${num(l.absorbed)}</td>` +
        `<td>${esc(l.owner)}</td><td class="${l.expired ? 'bad' : ''}">${esc(l.expires)}${l.expired ? ' (expired)' : ''}</td><td>${esc(l.reason)}</td></tr>`,
    )
    .join('')
  return `<h2>Known-differences ledger</h2><table id="ledger"><thead><tr><th>id</th><th>rule</th><th>absorbed</th><th>owner</th><th>expires</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`
}

function performance(report: ParityReport): string {
  const p = report.performance
  if (!p || (p.crmsyncSeconds === undefined && p.legacySeconds === undefined)) return `<h2>Performance</h2><p class="meta">No timings in this report (performance is measured by <code>crmsync parity run</code>).</p>`
  const bars = []
  if (p.crmsyncSeconds !== undefined) bars.push({label: 'crmsync', value: p.crmsyncSeconds, text: secs(p.crmsyncSeconds), cls: 'p-crmsync'})
  if (p.legacySeconds !== undefined) bars.push({label: 'legacy', value: p.legacySeconds, text: secs(p.legacySeconds), cls: 'p-legacy'})
  const max = Math.max(...bars.map((b) => b.value), 1e-9)
  const ratio = perfRatio(report)
  const facts = [ratio !== undefined ? `legacy / crmsync: <strong>${ratio.toFixed(2)}x</strong>` : '', p.crmsyncRequests !== undefined ? `crmsync made ${num(p.crmsyncRequests)} API requests` : '']
  return `<h2>Performance</h2>${barChart('Sync wall time', bars, max)}<p id="perf">${facts.filter(Boolean).join('; ')}</p>`
}

function errors(report: ParityReport): string {
  if (report.errors.length === 0) return ''
  return `<h2>Errors</h2><ul id="errors">${report.errors.map((e) => `<li>${e.entity ? `<strong>${esc(e.entity)}</strong>: ` : ''}${esc(e.message)}</li>`).join('')}</ul>`
}

/** The whole report as one self-contained HTML document. Every report string is HTML-escaped. */
export function renderHtml(report: ParityReport): string {
  const title = `Parity report ${report.runId}: ${report.verdict.ready ? 'READY' : 'NOT READY'}`
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy())}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>`,
    `<h1>Parity report <code>${esc(report.runId)}</code></h1>`,
    `<p class="meta">Created ${esc(report.createdAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)} · report.json schema version ${esc(report.schemaVersion)}</p>`,
    verdictBanner(report),
    `<div class="filter"><label>Filter fields, relations and samples: <input id="filter" type="search" placeholder="e.g. email" autocomplete="off"></label> <span id="filter-count" class="meta"></span></div>`,
    '<h2>Inputs</h2>',
    inputs(report),
    '<h2>Totals</h2>',
    totals(report),
    entitiesOverview(report),
    attribution(report),
    ...report.entities.map((e, i) => entitySection(e, i)),
    ledger(report),
    performance(report),
    errors(report),
    `</main><script>${SCRIPT}</script></body></html>`,
    '',
  ].join('\n')
}
