/** The per-entity section of report.html: field chart, field and relation tables, drill-down samples. */
import type {EntityReport, SampleDifference} from './report-types.js'
import {ATTRIBUTION_LABEL, attributionText, fieldMatchRate, num, pct, showValue} from './format.js'
import {barChart, esc} from './svg-charts.js'

/** Bar colour class for a match rate. */
export function rateClass(rate: number): string {
  return rate >= 0.99 ? 'good' : rate >= 0.9 ? 'mid' : 'poor'
}

function search(...parts: string[]): string {
  return esc(parts.join(' ').toLowerCase())
}

function samplesTable(samples: SampleDifference[]): string {
  const rows = samples
    .map(
      (s) =>
        `<tr data-search="${search(s.key, s.field ?? '', showValue(s.legacy), showValue(s.new))}"><td>${esc(s.key)}</td><td>${esc(s.field ?? '')}</td>` +
        `<td class="v">${esc(showValue(s.legacy))}</td><td class="v">${esc(showValue(s.new))}</td><td class="v">${esc(showValue(s.source))}</td>` +
        `<td>${s.attribution ? esc(ATTRIBUTION_LABEL[s.attribution] ?? s.attribution) : ''}</td><td>${esc((s.paths ?? []).join(', '))}</td></tr>`,
    )
    .join('')
  return `<table class="samples"><thead><tr><th>key</th><th>field</th><th>legacy</th><th>new</th><th>source</th><th>attribution</th><th>paths</th></tr></thead><tbody>${rows}</tbody></table>`
}

function drill(id: string, summary: string, samples: SampleDifference[], searchText: string): string {
  return `<details id="${esc(id)}" data-search="${search(searchText)}"><summary>${summary}</summary>${samplesTable(samples)}</details>`
}

/** One <section> for an entity. `idx` keeps element ids unique whatever the entity names are. */
export function entitySection(e: EntityReport, idx: number): string {
  const c = e.counts
  const parts: string[] = [
    `<section class="entity" id="entity-${idx}"><h2>${esc(e.entity)} <span class="meta">(${esc(e.legacyModel)})</span></h2>`,
    `<p>Match rate <strong class="${e.matchRate >= 0.99 ? 'ok' : 'bad'}">${pct(e.matchRate)}</strong>, unexplained mismatch rate ${pct(e.unexplainedMismatchRate)}, ` +
      `${num(e.explainedRecords)} records whose every difference is explained. Legacy rows ${num(c.legacyRows)}, new rows ${num(c.newRows)}.</p>`,
  ]
  if (e.records) {
    parts.push(`<p class="records">Whole records missing or duplicated: ${num(e.records.explained)} explained by the ledger; attribution of the rest: ${esc(attributionText(e.records.attribution) || '—')}.</p>`)
  }
  if (e.fields.length > 0) {
    parts.push(
      `<h3>Match rate per field</h3>`,
      barChart(
        `${e.entity}: match rate per field`,
        e.fields.map((f) => ({label: f.field, value: fieldMatchRate(f), text: pct(fieldMatchRate(f)), cls: rateClass(fieldMatchRate(f))})),
        1,
      ),
    )
    const rows = e.fields
      .map(
        (f) =>
          `<tr data-search="${search(e.entity, f.field, f.property)}"><td>${esc(f.field)}</td><td>${esc(f.property)}</td><td class="n">${num(f.compared)}</td>` +
          `<td class="n${f.mismatched > 0 ? ' bad' : ''}">${num(f.mismatched)}</td><td class="n">${num(f.explained)}</td><td class="n">${num(f.noise)}</td>` +
          `<td class="n">${pct(fieldMatchRate(f))}</td><td>${esc(attributionText(f.attribution) || '—')}</td></tr>`,
      )
      .join('')
    parts.push(
      `<table class="fields"><thead><tr><th>field</th><th>property</th><th>compared</th><th>mismatched</th><th>explained</th><th>noise</th><th>match rate</th><th>attribution</th></tr></thead><tbody>${rows}</tbody></table>`,
    )
  }
  if (e.relations.length > 0) {
    const rows = e.relations
      .map(
        (r) =>
          `<tr data-search="${search(e.entity, r.relation, r.association)}"><td>${esc(r.relation)}</td><td>${esc(r.association)}</td><td>${esc(r.kind)}</td>` +
          `<td class="n">${num(r.recordsCompared)}</td><td class="n${r.recordsMismatched > 0 ? ' bad' : ''}">${num(r.recordsMismatched)}</td>` +
          `<td class="n">${num(r.missingEdges)}</td><td class="n">${num(r.extraEdges)}</td><td class="n">${num(r.explained)}</td><td class="n">${num(r.noise ?? 0)}</td><td>${esc(attributionText(r.attribution) || '—')}</td></tr>`,
      )
      .join('')
    parts.push(
      `<h3>Relations</h3><table class="relations"><thead><tr><th>relation</th><th>association</th><th>kind</th><th>records compared</th><th>records mismatched</th>` +
        `<th>missing edges</th><th>extra edges</th><th>explained</th><th>noise</th><th>attribution</th></tr></thead><tbody>${rows}</tbody></table>`,
    )
  }
  const drills: string[] = []
  e.fields.forEach((f, i) => {
    if (f.samples.length > 0) drills.push(drill(`s-${idx}-f-${i}`, `${esc(e.entity)}.${esc(f.field)}: ${num(f.samples.length)} sample(s) of ${num(f.mismatched)} mismatched`, f.samples, `${e.entity} ${f.field} ${f.property}`))
  })
  e.relations.forEach((r, i) => {
    if (r.samples.length > 0) drills.push(drill(`s-${idx}-r-${i}`, `${esc(r.relation)}: ${num(r.samples.length)} sample(s)`, r.samples, `${e.entity} ${r.relation}`))
  })
  for (const [cls, samples] of Object.entries(e.samples)) {
    if (samples && samples.length > 0) drills.push(drill(`s-${idx}-c-${esc(cls)}`, `${esc(e.entity)}: ${esc(cls.replace(/_/g, ' '))}, ${num(samples.length)} sample(s)`, samples, `${e.entity} ${cls}`))
  }
  if (drills.length > 0) parts.push(`<h3>Samples</h3>`, ...drills)
  parts.push('</section>')
  return parts.join('\n')
}
