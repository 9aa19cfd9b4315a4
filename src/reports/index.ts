/** Report renderers: terminal (cli-table3), Markdown, self-contained HTML, and report.json validation. */
export {renderAll, renderReportDir, parseFormats, REPORT_FORMATS, type ReportFormat, type RenderDirResult} from './render-all.js'
export {renderTerminal, type TerminalOptions} from './terminal.js'
export {renderMarkdown} from './markdown.js'
export {renderHtml} from './html.js'
export {validateReport, readReportDir} from './validate.js'
