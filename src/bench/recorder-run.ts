/**
 * Benchmark (prints, never asserts): `recordPortal` against the emulator on loopback without a
 * rate limit — records per second and peak RSS. Run:
 * `node dist/src/portal/recorder-bench.js [contacts=20000] [customProperties=0]`.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {HubSpotHttpClient} from '../connectors/hubspot/http-client.js'
import {InProcessBudget} from '../core/budget.js'
import {startEmulator} from '../emulator/index.js'
import {generatePortal} from '../portal/generator.js'
import {recordPortal} from '../portal/recorder.js'

export interface RecorderBenchResult {
  records: number
  associations: number
  requests: number
  seconds: number
  recordsPerSecond: number
  peakRssMb: number
}

export async function runRecorderBench(contacts = 20_000, customProperties = 0): Promise<RecorderBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-record-bench-'))
  try {
    const deals = Math.max(125, Math.round(contacts / 4))
    await generatePortal({out: join(dir, 'p'), contacts, deals, appointments: Math.round(contacts / 10), divisions: 20, seed: 1, customProperties})
    const emu = await startEmulator({portalDir: join(dir, 'p'), rateLimit: 'none'})
    try {
      const api = new HubSpotHttpClient({baseUrl: emu.url, accessToken: 'bench', budget: new InProcessBudget({max: 1_000_000, intervalMs: 1000, searchMax: 1_000_000})})
      let peak = process.memoryUsage().rss
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
      const t0 = performance.now()
      const res = await recordPortal({out: join(dir, 'rec'), api, baseUrl: emu.url})
      const seconds = (performance.now() - t0) / 1000
      clearInterval(timer)
      const records = res.objects.reduce((n, o) => n + o.count, 0)
      return {records, associations: res.associations, requests: api.stats.requests, seconds, recordsPerSecond: records / seconds, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1024 / 1024}
    } finally {
      await emu.stop()
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runRecorderBench(Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 0))
  console.log(
    `portal record from the emulator (no rate limit, same process): ${r.records} records + ${r.associations} association rows in ${r.seconds.toFixed(1)} s = ${Math.round(r.recordsPerSecond)} records/s, ${r.requests} requests, peak RSS ${Math.round(r.peakRssMb)} MB (emulator included)`,
  )
}
