import {describe, expect, it} from 'vitest'
import {renderHtml} from '../../src/reports/html.js'
import {mdCell, renderMarkdown} from '../../src/reports/markdown.js'
import {renderTerminal} from '../../src/reports/terminal.js'
import {pct, showValue, topMismatchedFields} from '../../src/reports/format.js'
import {contentSecurityPolicy, SCRIPT} from '../../src/reports/html-assets.js'
import {createHash} from 'node:crypto'
import {NASTY_PROP, XSS, sampleReport} from './report-fixture.js'

describe('renderHtml', () => {
  const html = renderHtml(sampleReport())

  it('escapes record values: no raw <script>alert(1) anywhere', () => {
    expect(html).not.toContain(XSS)
    expect(html).toContain('&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;')
    // exactly one <script> element: ours
    expect(html.match(/<script/g)).toHaveLength(1)
  })

  it('escapes quotes, ampersands and angle brackets in property names, in text and attributes', () => {
    expect(html).not.toContain(NASTY_PROP)
    expect(html).toContain('q&quot;&#39;&amp;&lt;&gt;x')
    expect(html).not.toContain('<b>rule</b>')
    expect(html).toContain('old &lt;b&gt;rule&lt;/b&gt;')
  })

  it('is self-contained: no external URLs, CSS inline, CSP pins the one script by hash', () => {
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
    expect(html).not.toMatch(/<link\b/)
    expect(html).toContain('<style>')
    const hash = createHash('sha256').update(SCRIPT).digest('base64')
    expect(contentSecurityPolicy()).toContain(`'sha256-${hash}'`)
    expect(html).toContain(`<script>${SCRIPT}</script>`)
  })

  it('shows the verdict, reasons, counts and rates', () => {
    expect(html).toContain('class="banner not-ready"')
    expect(html).toContain('NOT READY')
    expect(html).toContain('data-check="new_regressions"')
    expect(html).toContain('<div class="n">250</div><div class="l">keys compared</div>')
    expect(html).toContain('91.9%') // contacts match rate
    expect(html).toContain('95.9%') // email: (194-8)/194
    expect(html).toContain('legacy / crmsync: <strong>4.00x</strong>')
    expect(html).toContain('crmsync made 42 API requests')
  })

  it('draws SVG bar charts: entities, per-field, attribution and performance', () => {
    const svgs = html.match(/<svg class="chart"/g) ?? []
    expect(svgs.length).toBe(5) // entity rates, contacts fields, deals fields, attribution, perf
    expect(html).toMatch(/<g class="bar" data-label="contacts" data-value="0.9186">/)
    expect(html).toMatch(/<g class="bar" data-label="deals" data-value="0.98">/)
    // full bar width is 720-220-90=410; a 0.98 rate is 401.8 wide
    expect(html).toContain('width="401.8" height="16" class="mid"')
    expect(html).toContain('class="a-new_regression"')
  })

  it('has drill-down samples per field, relation and record class', () => {
    expect(html).toMatch(/<details id="s-0-f-0"[^>]*><summary>contacts\.email: 2 sample\(s\) of 8 mismatched<\/summary>/)
    expect(html).toMatch(/<details id="s-0-r-0"/)
    expect(html).toMatch(/<details id="s-0-c-missing_in_new"/)
    expect(html).toMatch(/<details id="s-1-f-0"/)
  })

  it('shows relation noise and whole-record attribution', () => {
    expect(html).toMatch(/<td class="n">1<\/td><td class="n">1<\/td><td class="n">0<\/td><td class="n">3<\/td><td>unacknowledged behaviour change 2<\/td>/)
    expect(html).toContain('Whole records missing or duplicated: 3 explained by the ledger; attribution of the rest: unacknowledged behaviour change 2.')
  })

  it('marks an expired ledger rule and a READY report differently', () => {
    expect(html).toContain('2026-01-01 (expired)')
    const ready = renderHtml({...sampleReport(), verdict: {ready: true, reasons: []}})
    expect(ready).toContain('class="banner ready"')
    expect(ready).not.toContain('NOT READY')
  })
})

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport())
  it('escapes untrusted strings', () => {
    expect(md).not.toContain(XSS)
    expect(md).not.toContain(NASTY_PROP)
    expect(mdCell('a|b<c>\n')).toBe('a\\|b&lt;c&gt; ')
    expect(mdCell('first_name')).toBe('first_name')
    expect(mdCell('[x](javascript:alert(1)) *b* `c`')).toBe('\\[x\\](javascript:alert(1)) \\*b\\* \\`c\\`')
  })
  it('has the verdict, totals and per-field numbers', () => {
    expect(md).toContain('**Verdict: NOT READY**')
    expect(md).toContain('| 250 | 230 | 15 | 2 | 3 | 0 | 12 | 40 | 0 |')
    expect(md).toContain('| email | email | 194 | 8 | 30 | 0 | 95.9% | new regression 1, unacknowledged behaviour change 7 |')
    expect(md).toContain('| L2 |')
    expect(md).toContain('**EXPIRED**')
    expect(md).toContain('| 2.50 s | 10.00 s | 4.00x | 42 |')
    expect(md).toContain('<details><summary>contacts.email: 2 sample(s)</summary>')
    expect(md).toContain('<details><summary>contacts missing in new: 1 sample(s)</summary>')
  })
})

describe('renderTerminal', () => {
  it('prints the verdict, entity table, top fields, ledger and performance without colors', () => {
    const out = renderTerminal(sampleReport(), {color: false})
    expect(out).not.toMatch(/\u001B\[/)
    expect(out).toContain('Parity verdict: NOT READY')
    expect(out).toMatch(/FAIL new_regressions: 1 \(threshold 0\)/)
    expect(out).toMatch(/│ contacts\s+│ 196\s+│ 197\s+│ 180\s+│ 14\s+│ 2\s+│ 3\s+│ 0\s+│ 91\.9%/)
    expect(out).toMatch(/│ email\s+│ email\s+│ 8\s+│ 194\s+│ 95\.9%\s+│ new regression 1, unacknowledged behaviour change 7/)
    expect(out).toContain('contact.division')
    expect(out).toMatch(/L1: contacts\.email lowercase\s+│ 30/)
    expect(out).toContain('2026-01-01 EXPIRED')
    expect(out).toContain('legacy/crmsync 4.00x')
  })
  it('uses colors when asked and strips control characters from untrusted text', () => {
    const r = sampleReport()
    r.entities[0].entity = 'con\u001B[2Jtacts'
    const out = renderTerminal(r, {color: true})
    expect(out).toContain('\u001B[31mNOT READY')
    expect(out).not.toContain('\u001B[2J')
  })
})

describe('format helpers', () => {
  it('never rounds an imperfect rate to 100% nor a non-zero rate to 0%', () => {
    expect(pct(0.99999)).toBe('99.9%')
    expect(pct(1)).toBe('100.0%')
    expect(pct(0.0001)).toBe('0.1%')
    expect(pct(0)).toBe('0.0%')
  })
  it('quotes strings so "" and null differ', () => {
    expect(showValue('')).toBe('""')
    expect(showValue(null)).toBe('null')
    expect(showValue('x'.repeat(400)).length).toBe(300)
  })
  it('ranks mismatched fields worst first', () => {
    expect(topMismatchedFields(sampleReport()).map((f) => `${f.entity}.${f.field.field}`)).toEqual(['contacts.email', 'deals.amount'])
  })
})

describe('a minimal report (no entities, ledger, performance or errors)', () => {
  const r = {...sampleReport(), entities: [], ledger: [], performance: undefined, errors: [], verdict: {ready: true, reasons: []}}
  it('renders in every format', () => {
    const html = renderHtml(r)
    expect(html).toContain('class="banner ready"')
    expect(html).toContain('No ledger rules in the mapping.')
    expect(html).toContain('No timings in this report')
    expect(renderMarkdown(r)).toContain('**Verdict: READY**')
    const t = renderTerminal(r, {color: false})
    expect(t).toContain('Parity verdict: READY')
    expect(t).toContain('No unexplained field mismatches.')
  })
  it('lists run errors', () => {
    const withErr = {...r, errors: [{entity: 'deals', message: 'row 7: <bad> amount'}]}
    expect(renderHtml(withErr)).toContain('<li><strong>deals</strong>: row 7: &lt;bad&gt; amount</li>')
    expect(renderTerminal(withErr, {color: false})).toContain('error (deals): row 7: <bad> amount')
    expect(renderMarkdown(withErr)).toContain('- deals: row 7: &lt;bad&gt; amount')
  })
})

describe('renderHtml of a version 2 report: inputs as words', () => {
  it('shows the key overlap per entity, never "[object Object]"', async () => {
    const {sampleReportV2} = await import('./report-fixture.js')
    const r = sampleReportV2()
    r.inputs.overlap = [{entity: 'contacts', legacyKeys: 120, newKeys: 118, commonKeys: 117, overlap: 117 / 118}]
    const html = renderHtml(r)
    expect(html).not.toContain('[object Object]')
    expect(html).toContain('contacts: 99.2% (117 keys in common; legacy 120, crmsync 118)')
  })
})
