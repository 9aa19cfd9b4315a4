/** `npm run bench -- budget`: share of an allowed 100 requests/10 s that the shared budget uses against the emulator, and 429s (prints, never asserts). */
import {runBudgetBench} from './budget-run.js'

const seconds = Number(process.env.BENCH_BUDGET_SECONDS ?? 40)
const r = await runBudgetBench(seconds)
console.log(
  `budget vs emulator at ${r.allowedPerSecond * 10}/10s, 4 streams, ${r.seconds.toFixed(1)} s: ${r.requests} requests, ` +
    `steady ${r.steadyPerSecond.toFixed(2)}/s of ${r.allowedPerSecond}/s allowed = ${(r.utilisation * 100).toFixed(1)}% (baseline: 100%), 429s: ${r.rateLimited}`,
)
