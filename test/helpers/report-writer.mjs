// Writes parity report folders in a loop exactly as `parity diff` ends (writeReportDir with the
// renders, then syncIndex), until killed: the kill -9 test of the report index runs it.
// usage: node report-writer.mjs TEMPLATE_REPORT_JSON OUT_DIR
import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'

const root = resolve(import.meta.dirname, '../..')
const {writeReportDir, newRunId} = await import(join(root, 'dist/src/parity/report-output.js'))
const {syncIndex} = await import(join(root, 'dist/src/parity/history/report-index.js'))
const {renderAll} = await import(join(root, 'dist/src/reports/render-all.js'))

const template = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const out = process.argv[3]
for (let i = 0; ; i++) {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000 + Math.floor(Math.random() * 1000))
  const report = {...template, runId: newRunId(at), createdAt: at.toISOString()}
  const dir = await writeReportDir(out, report, (r, d) => renderAll(r, d))
  await syncIndex(out, [dir])
  process.stdout.write('.')
}
