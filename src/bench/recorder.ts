/** `npm run bench -- recorder`: `portal record` throughput from the emulator without a rate limit (prints, never asserts). */
import {runRecorderBench} from './recorder-run.js'
import {envInt} from './measure.js'

const contacts = envInt('BENCH_RECORD_CONTACTS', 20_000)
const r = await runRecorderBench(contacts, 0)
console.log(
  `portal record from the emulator (no rate limit, same process): ${r.records} records + ${r.associations} association rows in ${r.seconds.toFixed(1)} s = ` +
    `${Math.round(r.recordsPerSecond)} records/s, ${r.requests} requests, peak RSS ${Math.round(r.peakRssMb)} MB (emulator included)`,
)
