/** Operator output of a sync run: progress bars on a terminal's stderr, and the summary table. */
import cliProgress from 'cli-progress'
import Table from 'cli-table3'
import type {EngineHooks} from './engine.js'
import type {StreamResult} from './metrics.js'

/**
 * Progress hooks drawing one live line per stream on stderr (only used when stderr is a TTY): records
 * so far, phase and elapsed time. No bar: HubSpot's list endpoint does not say how many records remain.
 */
export function progressHooks(): {hooks: EngineHooks; stop(): void} {
  const format = '{stream} | {value} records | {phase} | {duration_formatted}'
  const multi = new cliProgress.MultiBar({stream: process.stderr, format, hideCursor: true, clearOnComplete: false}, cliProgress.Presets.shades_classic)
  const bars = new Map<string, cliProgress.SingleBar>()
  return {
    hooks: {
      onPage(stream, info) {
        let bar = bars.get(stream)
        if (!bar) {
          bar = multi.create(0, 0, {stream, phase: info.phase})
          bars.set(stream, bar)
        }
        bar.setTotal(Math.max(info.total, 1))
        bar.update(info.total, {stream, phase: info.phase})
      },
    },
    stop: () => multi.stop(),
  }
}

/** The end-of-run table: one row per stream plus a total. */
export function summaryTable(streams: StreamResult[]): string {
  const t = new Table({style: {head: [], border: []}, head: ['entity', 'status', 'fetched', 'inserted', 'updated', 'unchanged', 'deleted', 'requests', 'search', '429s', 'retries', 'dead letters', 'seconds', 'records/s']})
  for (const s of streams) {
    t.push([s.stream, s.status, s.fetched, s.counts.inserted, s.counts.updated, s.counts.unchanged, s.counts.deleted, s.requests, s.searchRequests, s.rateLimited, s.retries, s.deadLetters, s.seconds.toFixed(2), s.recordsPerSecond])
  }
  return t.toString()
}
