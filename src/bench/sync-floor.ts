/**
 * The floor for `crmsync sync all`: raw fetch, JSON.parse, prepared inserts, one transaction per
 * page; no validation, retries, checkpoints or typing. Prints {records, seconds, peakRssMb} as JSON.
 *
 *   node dist/src/bench/sync-floor.js BASE_URL DB_PATH
 */
import Database from 'better-sqlite3'
import {ASSOCIATION_PAIRS, OBJECTS} from '../connectors/hubspot/objects.js'
import {peakRssMb} from '../core/peak-rss.js'

const [base, dbPath] = process.argv.slice(2)
const token = process.env.HUBSPOT_ACCESS_TOKEN ?? ''
const headers = {authorization: `Bearer ${token}`, 'content-type': 'application/json'}

async function get<T>(path: string): Promise<T> {
  const r = await fetch(base + path, {headers})
  return JSON.parse(await r.text()) as T
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const db = new Database(dbPath)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(
    'CREATE TABLE IF NOT EXISTS records (entity TEXT, id TEXT, archived INTEGER, props TEXT, PRIMARY KEY (entity, id)); CREATE TABLE IF NOT EXISTS edges (f TEXT, fid TEXT, t TEXT, tid TEXT, type_id INTEGER)',
  )
  const ins = db.prepare('INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)')
  const insEdge = db.prepare('INSERT INTO edges VALUES (?, ?, ?, ?, ?)')
  const schemas = await get<{results: Array<{name: string; objectTypeId: string}>}>('/crm/v3/schemas')
  const types: Record<string, string> = {}
  const ids: Record<string, string[]> = {}
  let records = 0
  for (const o of Object.values(OBJECTS)) {
    const type = o.objectTypeId ?? schemas.results.find((s) => s.name === o.pathSegment)!.objectTypeId
    types[o.entity] = type
    ids[o.entity] = []
    for (const archived of [false, true]) {
      let after: string | undefined
      do {
        const page = await get<{results: Array<{id: string; properties: unknown}>; paging?: {next?: {after?: string}}}>(
          `/crm/v3/objects/${type}?limit=100&archived=${archived}&properties=${o.defaultProperties.join(',')}${after ? `&after=${after}` : ''}`,
        )
        db.transaction(() => {
          for (const r of page.results) ins.run(o.entity, r.id, archived ? 1 : 0, JSON.stringify(r.properties))
        })()
        if (!archived) for (const r of page.results) ids[o.entity].push(r.id)
        records += page.results.length
        after = page.paging?.next?.after
      } while (after)
    }
  }
  for (const [from, to] of ASSOCIATION_PAIRS) {
    for (let i = 0; i < ids[from].length; i += 1000) {
      const r = await fetch(`${base}/crm/v4/associations/${types[from]}/${types[to]}/batch/read`, {
        method: 'POST',
        headers,
        body: JSON.stringify({inputs: ids[from].slice(i, i + 1000).map((id) => ({id}))}),
      })
      const body = JSON.parse(await r.text()) as {results: Array<{from: {id: string}; to: Array<{toObjectId: string | number; associationTypes: Array<{typeId: number}>}>}>}
      db.transaction(() => {
        for (const res of body.results) for (const t of res.to) for (const at of t.associationTypes) insEdge.run(from, res.from.id, to, String(t.toObjectId), at.typeId)
      })()
    }
  }
  db.close()
  console.log(JSON.stringify({records, seconds: (performance.now() - t0) / 1000, peakRssMb: peakRssMb()}))
}

await main()
