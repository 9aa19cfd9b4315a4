/**
 * `npm run bench`: runs every benchmark in its own child process (so peak memory is per benchmark)
 * and prints their figures. Benchmarks print; they never assert. Select some with
 * `npm run bench -- generator emulator`; scale with BENCH_CONTACTS (default 1,000,000).
 */
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const ALL = ['generator', 'emulator', 'recorder', 'budget', 'sync', 'processes', 'parity', 'publish']
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL

let failed = 0
for (const name of wanted) {
  const file = join(here, `${name}.js`)
  if (!existsSync(file)) {
    console.log(`\n## ${name}: not built (no ${file})`)
    continue
  }
  console.log(`\n## ${name}`)
  const r = spawnSync(process.execPath, ['--expose-gc', file], {stdio: 'inherit', env: process.env})
  if (r.status !== 0) {
    failed++
    console.log(`(${name} benchmark exited with ${r.status ?? r.signal})`)
  }
}
process.exitCode = failed > 0 ? 1 : 0
