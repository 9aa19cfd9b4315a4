/** `crmsync parity history`: build the history of a report root and write history.md and history.html beside the reports. */
import {join} from 'node:path'
import {writeFileAtomic} from '../../reports/atomic-write.js'
import {reportHistory, type ReportHistory} from './history.js'
import {renderHistoryHtml, renderHistoryMarkdown, renderHistoryText} from './render.js'

export interface HistoryResult extends ReportHistory {
  files: string[]
  summary: string
}

export async function runHistory(out: string, opts: {since?: string} = {}): Promise<HistoryResult> {
  const h = await reportHistory(out, opts)
  const files: string[] = []
  if (h.runs.length > 0) {
    const md = join(out, 'history.md')
    const html = join(out, 'history.html')
    await writeFileAtomic(md, renderHistoryMarkdown(h))
    await writeFileAtomic(html, renderHistoryHtml(h))
    files.push(md, html)
  }
  const summary = [renderHistoryText(h), ...files.map((f) => `wrote ${f}`)].join('\n')
  return {...h, files, summary}
}
