/**
 * Part of `npm run bench -- sync` (prints, never asserts): a full `sync contacts` with `--lanes
 * list` and with `--lanes list+search` against the emulator at HubSpot's limits (its defaults:
 * 190 requests per 10 s for everything but search, 5 searches per second), the crmsync client
 * paced at 190/10 s. Records/s of the stream, and the share of each bucket it used: list (and
 * other non-search) requests against 19 per second, search requests against 5 per second, over the
 * stream's own seconds. BENCH_LANE_CONTACTS (default 40,000) sizes the portal.
 */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {startEmulator} from '../emulator/index.js'
import {generatePortal} from '../portal/generator.js'
import {envInt} from './measure.js'

export interface LaneFigures {
  lanes: string
  records: number
  seconds: number
  recordsPerSecond: number
  listRequests: number
  searchRequests: number
  /** share of 190 requests per 10 s used by the non-search requests */
  listShare: number
  /** share of 5 per second used by search */
  searchShare: number
  rateLimited: number
}

function runSync(root: string, token: string, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'bin/run.js'), ...args], {cwd: root, env: {...process.env, HUBSPOT_ACCESS_TOKEN: token}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => done({code, stdout, stderr}))
  })
}

/** Both lane modes on one portal, one after the other, each against a fresh emulator (empty windows). */
export async function laneBench(root: string, dir: string, token: string): Promise<LaneFigures[]> {
  const contacts = envInt('BENCH_LANE_CONTACTS', 40_000)
  const portal = join(dir, `portal-lanes-${contacts}`)
  await generatePortal({out: portal, contacts, deals: 10, appointments: 10, divisions: 2, seed: 5})
  const out: LaneFigures[] = []
  for (const lanes of ['list', 'list+search']) {
    const emu = await startEmulator({portalDir: portal, token}) // HubSpot's limits: 190/10 s and 5/s
    try {
      const r = await runSync(root, token, ['sync', 'contacts', '--full', '--lanes', lanes, '--rate-limit', '190/10s', '--db', join(dir, `lanes-${lanes}.db`), '--base-url', emu.url, '--json'])
      if (r.code !== 0) throw new Error(`sync contacts --lanes ${lanes} failed (${r.code}): ${r.stderr.slice(0, 1000)}`)
      const s = (JSON.parse(r.stdout) as {streams: Array<{fetched: number; seconds: number; rateLimited: number}>}).streams[0]
      const search = emu.stats.byEndpoint.search
      const list = emu.stats.requests - search
      out.push({
        lanes,
        records: s.fetched,
        seconds: s.seconds,
        recordsPerSecond: s.fetched / s.seconds,
        listRequests: list,
        searchRequests: search,
        listShare: list / ((s.seconds / 10) * 190),
        searchShare: search / (s.seconds * 5),
        rateLimited: emu.stats.rateLimited.TEN_SECONDLY_ROLLING + emu.stats.rateLimited.SECONDLY,
      })
    } finally {
      await emu.stop()
    }
  }
  return out
}

export function printLanes(rows: LaneFigures[]): void {
  console.log(`full sync contacts under the emulator's 190/10 s and 5 searches/s (client at 190/10 s):`)
  for (const r of rows) {
    console.log(
      `  --lanes ${r.lanes.padEnd(11)} ${r.records.toLocaleString('en-US')} records in ${r.seconds.toFixed(1)} s = ${Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s; ` +
        `${r.listRequests} non-search requests (${(r.listShare * 100).toFixed(0)}% of 190/10 s), ${r.searchRequests} search (${(r.searchShare * 100).toFixed(0)}% of 5/s); 429s: ${r.rateLimited}`,
    )
  }
  const [list, both] = rows
  if (list && both) console.log(`  list+search vs list: ${(both.recordsPerSecond / list.recordsPerSecond).toFixed(2)}x records/s (target: at least 1.25x)`)
}
