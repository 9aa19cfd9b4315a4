/** The terminal summary of a publish (also the second phase of `sync all --publish-to`). */
import type {PublishResult} from './run-publish.js'

export function publishSummary(r: PublishResult): string {
  const lines = [`${r.dryRun ? 'dry run (nothing written): would publish' : 'published'} into ${r.target} (${r.full ? 'full' : `changes after sequence ${r.sinceSeq}`}, through ${r.throughSeq})`]
  const w = Math.max(...r.tables.map((t) => t.table.length), ...r.through.map((t) => t.table.length), 5)
  lines.push(`${'table'.padEnd(w)}  inserted   updated   deleted  unchanged  rejected values`)
  for (const t of r.tables)
    lines.push(
      `${t.table.padEnd(w)}  ${String(t.inserted).padStart(8)}  ${String(t.updated).padStart(8)}  ${String(t.deleted).padStart(8)}  ${String(t.unchanged).padStart(9)}  ${String(t.rejectedValues).padStart(15)}`,
    )
  for (const t of r.through) lines.push(`${t.table.padEnd(w)}  ${String(t.inserted).padStart(8)}  ${'-'.padStart(8)}  ${String(t.deleted).padStart(8)}  ${'-'.padStart(9)}  ${'-'.padStart(15)}`)
  lines.push(`${r.rowsWritten} rows ${r.dryRun ? 'to write' : 'written'} in ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMb} MB`)
  return lines.join('\n')
}
