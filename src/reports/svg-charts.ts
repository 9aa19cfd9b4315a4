/** Inline SVG charts for report.html: no scripts, no external resources, every label escaped. */

/** Escape untrusted text for HTML/SVG element content and double- or single-quoted attributes. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] as string)
}

export interface Bar {
  label: string
  /** 0..1 for rate charts, any non-negative number for count charts */
  value: number
  /** text shown at the end of the bar */
  text: string
  /** CSS class of the bar (colour) */
  cls?: string
}

/**
 * A horizontal bar chart. `max` is the value of a full bar (1 for rates). Returns an <svg> string
 * with a <title> for screen readers and one <g class="bar"> per bar (with data-label for tests).
 */
export function barChart(title: string, bars: Bar[], max: number, opts: {labelWidth?: number; width?: number} = {}): string {
  const labelWidth = opts.labelWidth ?? 220
  const width = opts.width ?? 720
  const barArea = width - labelWidth - 90
  const rowH = 24
  const height = Math.max(1, bars.length) * rowH + 8
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH
    const frac = max > 0 && Number.isFinite(b.value) ? Math.max(0, Math.min(1, b.value / max)) : 0
    const w = Math.round(frac * barArea * 10) / 10
    const label = b.label.length > 34 ? `${b.label.slice(0, 33)}…` : b.label
    return (
      `<g class="bar" data-label="${esc(b.label)}" data-value="${esc(b.value)}">` +
      `<title>${esc(b.label)}: ${esc(b.text)}</title>` +
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" class="lbl">${esc(label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${barArea}" height="${rowH - 8}" class="track"/>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowH - 8}" class="${esc(b.cls ?? 'fill')}"/>` +
      `<text x="${labelWidth + barArea + 6}" y="${y + 16}" class="val">${esc(b.text)}</text></g>`
    )
  })
  return (
    `<svg class="chart" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${esc(title)}</title>${rows.join('')}</svg>`
  )
}

export interface Segment {
  label: string
  value: number
  cls: string
}

/** One stacked horizontal bar (e.g. the attribution breakdown) with a legend below it. */
export function stackedBar(title: string, segments: Segment[], opts: {width?: number} = {}): string {
  const width = opts.width ?? 720
  const total = segments.reduce((s, x) => s + Math.max(0, x.value), 0)
  let x = 0
  const rects: string[] = []
  for (const s of segments) {
    if (s.value <= 0 || total === 0) continue
    const w = (s.value / total) * width
    rects.push(`<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="26" class="${esc(s.cls)}"><title>${esc(s.label)}: ${esc(s.value)}</title></rect>`)
    x += w
  }
  if (rects.length === 0) rects.push(`<rect x="0" y="0" width="${width}" height="26" class="track"/>`)
  const legend = segments
    .map((s, i) => {
      const lx = (i % 3) * (width / 3)
      const ly = 44 + Math.floor(i / 3) * 20
      return `<rect x="${lx}" y="${ly - 11}" width="12" height="12" class="${esc(s.cls)}"/><text x="${lx + 18}" y="${ly}" class="lbl">${esc(s.label)}: ${esc(s.value)}</text>`
    })
    .join('')
  const height = 44 + Math.ceil(Math.max(1, segments.length) / 3) * 20
  return `<svg class="chart" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(title)}</title>${rects.join('')}${legend}</svg>`
}
