/**
 * Emulator benchmark (prints, never asserts): loads a generated portal (BENCH_CONTACTS contacts,
 * default 100,000) into the emulator and reads it over loopback HTTP: list pages/s and records/s,
 * search pages/s, v4 association batches/s, with peak RSS (client and server share this process).
 *
 *   npx tsc -p . && BENCH_CONTACTS=100000 node dist/src/bench/emulator.js
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startEmulator} from '../emulator/index.js'
import {generatePortal} from '../portal/generator.js'
import {envInt, type Figures, printSideBySide, rssSampler} from './measure.js'

const TOKEN = 'bench-token'
const headers = {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'}

async function timed(label: string, work: () => Promise<{records: number; requests: number}>): Promise<Figures> {
  const rss = rssSampler()
  const t = performance.now()
  const r = await work()
  const seconds = (performance.now() - t) / 1000
  return {label, records: r.records, seconds, peakRssMb: rss.stop(), extra: {requests: r.requests, 'requests/s': Math.round(r.requests / seconds)}}
}

async function main(): Promise<void> {
  const contacts = envInt('BENCH_CONTACTS', 100_000)
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-bench-emulator-'))
  try {
    const out = join(dir, 'portal')
    console.log(`generating a portal with ${contacts.toLocaleString('en-US')} contacts in ${out} ...`)
    await generatePortal({out, contacts, deals: Math.ceil(contacts / 5), appointments: Math.ceil(contacts / 10), divisions: 20, seed: 1})
    let emu: Awaited<ReturnType<typeof startEmulator>> | undefined
    const rows: Figures[] = []
    rows.push(
      await timed('load portal into SQLite', async () => {
        emu = await startEmulator({portalDir: out, token: TOKEN, rateLimit: 'none'})
        return {records: contacts, requests: 0}
      }),
    )
    const url = emu!.url
    rows.push(
      await timed('list contacts, 100/page', async () => {
        let after: string | undefined
        let records = 0
        let requests = 0
        do {
          const r = await fetch(`${url}/crm/v3/objects/contacts?limit=100${after ? `&after=${after}` : ''}`, {headers})
          const body = (await r.json()) as {results: unknown[]; paging?: {next?: {after?: string}}}
          records += body.results.length
          requests++
          after = body.paging?.next?.after
        } while (after)
        return {records, requests}
      }),
    )
    rows.push(
      await timed('search by lastmodifieddate, 200/page', async () => {
        let after: string | undefined
        let records = 0
        let requests = 0
        do {
          const body = {
            sorts: [{propertyName: 'lastmodifieddate', direction: 'ASCENDING'}],
            filterGroups: [{filters: [{propertyName: 'lastmodifieddate', operator: 'GTE', value: '0'}]}],
            limit: 200,
            after,
          }
          const r = await fetch(`${url}/crm/v3/objects/contacts/search`, {method: 'POST', headers, body: JSON.stringify(body)})
          const res = (await r.json()) as {results: unknown[]; paging?: {next?: {after?: string}}}
          records += res.results.length
          requests++
          after = res.paging?.next?.after
        } while (after && Number(after) < 10_000)
        return {records, requests}
      }),
    )
    rows.push(
      await timed('v4 contact→deal associations, 1000 ids/batch', async () => {
        let records = 0
        let requests = 0
        for (let start = 1; start <= Math.min(contacts, 50_000); start += 1000) {
          const inputs = Array.from({length: 1000}, (_, i) => ({id: String(start + i)}))
          const r = await fetch(`${url}/crm/v4/associations/contacts/deals/batch/read`, {method: 'POST', headers, body: JSON.stringify({inputs})})
          const res = (await r.json()) as {results: Array<{to: unknown[]}>}
          for (const x of res.results) records += x.to.length
          requests++
        }
        return {records, requests}
      }),
    )
    await emu!.stop()
    printSideBySide(`Emulator over loopback HTTP (${contacts.toLocaleString('en-US')} contacts; records = rows returned)`, rows)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

await main()
