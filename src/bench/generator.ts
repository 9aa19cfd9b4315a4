/**
 * Generator benchmark (prints, never asserts): records/s and peak RSS for generating
 * BENCH_CONTACTS contacts (default 1,000,000) with proportional deals, appointments and
 * divisions, next to a 100k-contact baseline. Run: `npm run bench -- generator`.
 */
import {mkdir, rm} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {generatePortal} from '../portal/generator.js'
import {envInt, printSideBySide, rssSampler, type Figures} from './measure.js'

const TMP = resolve(process.env.BENCH_TMP ?? '.tmp/bench-generator')

async function run(label: string, contacts: number, gzip: boolean): Promise<Figures> {
  const out = join(TMP, label.replace(/[^a-z0-9]+/gi, '-'))
  await rm(out, {recursive: true, force: true})
  const gc = (globalThis as {gc?: () => void}).gc
  gc?.()
  const rss = rssSampler()
  const t0 = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  const m = await generatePortal({
    out,
    contacts,
    deals: Math.floor(contacts / 5),
    appointments: Math.floor(contacts / 10),
    divisions: 50,
    seed: 1,
    gzip,
    force: true,
  })
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const peakRssMb = rss.stop()
  const records = m.objects.reduce((s, o) => s + o.count, 0)
  await rm(out, {recursive: true, force: true})
  return {
    label,
    records,
    seconds,
    peakRssMb,
    extra: {
      'contacts/s': Math.round(contacts / seconds).toLocaleString('en-US'),
      associations: m.associations.count.toLocaleString('en-US'),
      // wall time suffers when other processes share the cores; CPU time shows the generator's own cost
      'CPU s': cpuSeconds.toFixed(2),
      'records/CPU-s': Math.round(records / cpuSeconds).toLocaleString('en-US'),
    },
  }
}

const contacts = envInt('BENCH_CONTACTS', 1_000_000)
await mkdir(TMP, {recursive: true})
const rows: Figures[] = []
rows.push(await run('baseline 100k contacts', 100_000, false))
rows.push(await run(`${contacts.toLocaleString('en-US')} contacts`, contacts, false))
if (process.env.BENCH_GZIP === '1') rows.push(await run(`${contacts.toLocaleString('en-US')} contacts, gzip`, contacts, true))
printSideBySide('Portal generator (records = contacts + deals + appointments + divisions; associations are extra rows)', rows)
await rm(TMP, {recursive: true, force: true})
