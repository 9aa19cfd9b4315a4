/** Small helpers shared by the benchmarks: wall time, peak RSS sampling, and a side-by-side table. */
import Table from 'cli-table3'

export interface Figures {
  label: string
  records: number
  seconds: number
  peakRssMb: number
  extra?: Record<string, string | number>
}

/** Samples this process's RSS every `everyMs` until stopped; returns the peak in MB. */
export function rssSampler(everyMs = 50): {stop(): number} {
  let peak = process.memoryUsage().rss
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, everyMs)
  t.unref()
  return {
    stop() {
      clearInterval(t)
      peak = Math.max(peak, process.memoryUsage().rss)
      return peak / 1024 / 1024
    },
  }
}

export function printSideBySide(title: string, rows: Figures[]): void {
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))]
  const table = new Table({head: ['', 'records', 'seconds', 'records/s', 'peak RSS MB', ...extraKeys]})
  for (const r of rows) {
    table.push([
      r.label,
      r.records.toLocaleString('en-US'),
      r.seconds.toFixed(2),
      Math.round(r.records / Math.max(r.seconds, 1e-9)).toLocaleString('en-US'),
      r.peakRssMb.toFixed(0),
      ...extraKeys.map((k) => String(r.extra?.[k] ?? '')),
    ])
  }
  console.log(title)
  console.log(table.toString())
}

export function envInt(name: string, dflt: number): number {
  const v = process.env[name]
  if (!v) return dflt
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${v}`)
  return n
}
