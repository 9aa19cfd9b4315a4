/** Plain text tables for operators: columns padded to their widest cell, two spaces apart, numbers right-aligned; no borders. */

/** `head` and `rows` as aligned columns; the columns whose index is in `right` are right-aligned. */
export function textColumns(head: string[], rows: string[][], right: Set<number>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

/** `0.40s`, `12.3s`, `1m20s` (`-` when unknown). */
export function took(seconds: number | undefined): string {
  if (seconds === undefined) return '-'
  if (seconds < 10) return `${seconds.toFixed(2)}s`
  if (seconds < 60) return `${seconds.toFixed(1)}s`
  return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`
}
