/**
 * Benchmark (prints, never asserts): how much of a 100 requests / 10 s allowance the shared
 * budget uses against the emulator's real limiter, with four concurrent list streams, and how
 * many 429s that costs. Run: `node dist/src/core/budget-bench.js [seconds=40]`.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {HubSpotHttpClient} from '../connectors/hubspot/http-client.js'
import {PATHS} from '../connectors/hubspot/objects.js'
import {startEmulator} from '../emulator/index.js'
import {generatePortal} from '../portal/generator.js'
import {InProcessBudget} from '../core/budget.js'

export interface BudgetBenchResult {
  seconds: number
  requests: number
  /** requests per second over the whole windows after the first (the first window is a free burst) */
  steadyPerSecond: number
  allowedPerSecond: number
  utilisation: number
  rateLimited: number
}

/** Runs `streams` list loops for `seconds` against an emulator limited to `max` per `intervalMs`. */
export async function runBudgetBench(seconds = 40, streams = 4, max = 100, intervalMs = 10_000): Promise<BudgetBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-budget-bench-'))
  try {
    await generatePortal({out: join(dir, 'p'), contacts: 2000, deals: 125, appointments: 10, divisions: 2, seed: 3})
    const emu = await startEmulator({portalDir: join(dir, 'p'), rateLimit: {max, intervalMs}})
    try {
      const client = new HubSpotHttpClient({baseUrl: emu.url, accessToken: 'bench', budget: new InProcessBudget()})
      const t0 = Date.now()
      const done: number[] = []
      const stream = async (): Promise<void> => {
        let after: string | undefined
        while (Date.now() - t0 < seconds * 1000) {
          const r = await client.request<{paging?: {next?: {after?: string}}}>({method: 'GET', path: PATHS.list('contacts'), query: {limit: 100, after}})
          done.push(Date.now())
          after = r.body.paging?.next?.after
        }
      }
      await Promise.all(Array.from({length: streams}, stream))
      // whole windows after the first (which is a free burst): requests finished in them / time
      const windows = Math.max(1, Math.floor((Math.max(...done) - t0 - intervalMs) / intervalMs))
      const inSteady = done.filter((t) => t - t0 > intervalMs && t - t0 <= intervalMs * (1 + windows)).length
      const steadyPerSecond = inSteady / ((windows * intervalMs) / 1000)
      const allowed = max / (intervalMs / 1000)
      return {
        seconds: (Date.now() - t0) / 1000,
        requests: done.length,
        steadyPerSecond,
        allowedPerSecond: allowed,
        utilisation: steadyPerSecond / allowed,
        rateLimited: emu.stats.rateLimited.TEN_SECONDLY_ROLLING + emu.stats.rateLimited.SECONDLY,
      }
    } finally {
      await emu.stop()
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runBudgetBench(Number(process.argv[2] ?? 40))
  console.log(
    `budget vs emulator at ${r.allowedPerSecond * 10}/10s, 4 streams, ${r.seconds.toFixed(1)} s: ${r.requests} requests, steady ${r.steadyPerSecond.toFixed(2)}/s of ${r.allowedPerSecond}/s allowed = ${(r.utilisation * 100).toFixed(1)}%, 429s: ${r.rateLimited}`,
  )
}
