/** The inline CSS and the one small filtering script of report.html, plus the CSP that pins them. */
import {createHash} from 'node:crypto'

export const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mut:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.banner{padding:14px 18px;border-radius:8px;color:#fff;margin:12px 0}.banner.ready{background:var(--ok)}.banner.not-ready{background:var(--bad)}
.banner .verdict{font-size:24px;font-weight:700;letter-spacing:.5px}.banner ul{margin:6px 0 0;padding-left:20px}
.banner li{color:#fff}.banner li.ok{opacity:.85}.banner .meta{color:#fff;opacity:.85}.banner .swatch{outline:1px solid #fff}.reason.fail{font-weight:600}.meta{color:var(--mut)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}.card{border:1px solid var(--line);border-radius:8px;padding:8px 12px;min-width:120px;background:var(--bg)}
.card .n{font-size:20px;font-weight:700}.card .l{color:var(--mut);font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}td.n{text-align:right;font-variant-numeric:tabular-nums}td.v{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;max-width:340px}
.bad{color:var(--bad);font-weight:600}.ok{color:var(--ok)}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}summary{cursor:pointer;font-weight:600}
svg.chart{max-width:100%;height:auto;display:block;margin:6px 0}svg .lbl,svg .val{font-size:12px;fill:#1f2328}
svg .track{fill:#eaeef2}svg .fill{fill:#0969da}svg .good{fill:var(--ok)}svg .mid{fill:#bf8700}svg .poor{fill:var(--bad)}
svg .a-new_regression{fill:var(--bad)}svg .a-legacy_defect{fill:#0969da}svg .a-both_wrong{fill:#8250df}svg .a-changed_at_source{fill:#bf8700}svg .a-unattributed{fill:#8c959f}svg .a-mapping_convention{fill:#1a7f37}.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:middle}.swatch.a-new_regression{background:var(--bad)}.swatch.a-legacy_defect{background:#0969da}.swatch.a-mapping_convention{background:#1a7f37}.swatch.a-both_wrong{background:#8250df}.swatch.a-changed_at_source{background:#bf8700}.swatch.a-unattributed{background:#8c959f}.legend{list-style:none;padding-left:0}li.cause{margin:.3em 0}
svg .p-crmsync{fill:#0969da}svg .p-legacy{fill:#8c959f}
.filter{background:var(--bg);padding:8px 12px;border:1px solid var(--line);border-radius:6px;margin:12px 0}
.filter input{width:320px;padding:4px 8px}.hidden{display:none}
`

/** Filters table rows and drill-down blocks by the text typed in #filter. Guarded so it never throws. */
export const SCRIPT = `(function(){try{var box=document.getElementById('filter');var count=document.getElementById('filter-count');if(!box)return;
function apply(){var q=String(box.value||'').toLowerCase().trim();var items=document.querySelectorAll('[data-search]');var shown=0;
for(var i=0;i<items.length;i++){var el=items[i];var hit=!q||String(el.getAttribute('data-search')||'').indexOf(q)>=0;if(hit){el.classList.remove('hidden');shown++}else{el.classList.add('hidden')}}
if(count)count.textContent=q?shown+' of '+items.length+' rows match':'';}
box.addEventListener('input',apply);apply();}catch(e){}})();`

/** Content-Security-Policy for the report: nothing may load from anywhere; only our own script runs. */
export function contentSecurityPolicy(): string {
  const hash = createHash('sha256').update(SCRIPT).digest('base64')
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`
}
