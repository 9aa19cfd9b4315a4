/**
 * The naive approach a user writes first: @hubspot/api-client `getAll()` (every page concatenated
 * into one array), then inserts (in one transaction per entity, to be fair). Prints {records, seconds, peakRssMb} as JSON.
 *
 *   node dist/src/bench/sync-naive.js BASE_URL DB_PATH
 */
import {Client} from '@hubspot/api-client'
import Database from 'better-sqlite3'
import {ASSOCIATION_PAIRS, OBJECTS} from '../connectors/hubspot/objects.js'
import {peakRssMb} from '../core/peak-rss.js'

const [base, dbPath] = process.argv.slice(2)

async function main(): Promise<void> {
  const t0 = performance.now()
  const client = new Client({accessToken: process.env.HUBSPOT_ACCESS_TOKEN ?? '', basePath: base.replace(/\/$/, '')})
  const db = new Database(dbPath)
  db.exec('CREATE TABLE IF NOT EXISTS records (entity TEXT, id TEXT, props TEXT, PRIMARY KEY (entity, id)); CREATE TABLE IF NOT EXISTS edges (f TEXT, fid TEXT, t TEXT, tid TEXT, type_id INTEGER)')
  const ins = db.prepare('INSERT OR REPLACE INTO records VALUES (?, ?, ?)')
  const schemas = await client.crm.schemas.coreApi.getAll()
  const types: Record<string, string> = {}
  const ids: Record<string, string[]> = {}
  let records = 0
  for (const o of Object.values(OBJECTS)) {
    const type = o.objectTypeId ?? String(schemas.results.find((s) => s.name === o.pathSegment)!.objectTypeId)
    types[o.entity] = type
    let all: Array<{id: string; properties: unknown}>
    if (o.entity === 'contacts') all = await client.crm.contacts.getAll(100, undefined, o.defaultProperties)
    else if (o.entity === 'deals') all = await client.crm.deals.getAll(100, undefined, o.defaultProperties)
    else {
      all = []
      let after: string | undefined
      do {
        const page = await client.crm.objects.basicApi.getPage(type, 100, after, o.defaultProperties)
        all.push(...page.results)
        after = page.paging?.next?.after
      } while (after)
    }
    db.transaction(() => {
      for (const r of all) ins.run(o.entity, r.id, JSON.stringify(r.properties))
    })()
    ids[o.entity] = all.map((r) => r.id)
    records += all.length
  }
  const insEdge = db.prepare('INSERT INTO edges VALUES (?, ?, ?, ?, ?)')
  for (const [from, to] of ASSOCIATION_PAIRS) {
    for (let i = 0; i < ids[from].length; i += 1000) {
      const res = await client.crm.associations.v4.batchApi.getPage(types[from], types[to], {inputs: ids[from].slice(i, i + 1000).map((id) => ({id}))})
      db.transaction(() => {
        for (const r of res.results) for (const t of r.to) for (const at of t.associationTypes) insEdge.run(from, r._from.id, to, String(t.toObjectId), at.typeId)
      })()
    }
  }
  db.close()
  console.log(JSON.stringify({records, seconds: (performance.now() - t0) / 1000, peakRssMb: peakRssMb()}))
}

await main()
