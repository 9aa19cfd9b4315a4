/**
 * Store write benchmark: `node dist/src/store/bench-apply.js [records] [batch]` prints records/s of
 * `applyRecords` into a fresh store (insert pass, then an unchanged pass, then an update pass).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import Database from 'better-sqlite3'
import type {CrmRecord, PropertyDefinition} from '../core/records.js'
import {openStore} from './open.js'

const PROPS: PropertyDefinition[] = [
  {name: 'email', label: 'Email', type: 'string', fieldType: 'text'},
  {name: 'firstname', label: 'First', type: 'string', fieldType: 'text'},
  {name: 'lastname', label: 'Last', type: 'string', fieldType: 'text'},
  {name: 'phone', label: 'Phone', type: 'phone_number', fieldType: 'phonenumber'},
  {name: 'lifecyclestage', label: 'Stage', type: 'enumeration', fieldType: 'select'},
  {name: 'createdate', label: 'Created', type: 'datetime', fieldType: 'date'},
  {name: 'lastmodifieddate', label: 'Modified', type: 'datetime', fieldType: 'date'},
  {name: 'hs_merged_object_ids', label: 'Merged', type: 'enumeration', fieldType: 'checkbox'},
]

function makeRecord(i: number, version: number): CrmRecord {
  const t = new Date(Date.UTC(2024, 0, 1) + i * 1000 + version).toISOString()
  return {
    id: String(1000 + i),
    properties: {
      email: `user${i}@example.com`,
      firstname: `First${i}`,
      lastname: `Last${version}`,
      phone: `+1555${String(i).padStart(7, '0')}`,
      lifecyclestage: 'lead',
      createdate: t,
      lastmodifieddate: t,
      hs_merged_object_ids: null,
    },
    createdAt: t,
    updatedAt: t,
    archived: false,
  }
}

/**
 * The floor: the same records into a plain table with the same columns through one prepared INSERT
 * per record (no look-up, no typing), one transaction per page, same pragmas.
 */
function floorRate(dir: string, total: number, batch: number): number {
  const db = new Database(path.join(dir, 'floor.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -32000')
  const cols = ['id', 'created_at', 'updated_at', 'archived', 'archived_at', 'merged_into', 'properties', 'synced_at', ...PROPS.map((p) => `p_${p.name}`)]
  db.exec(`CREATE TABLE t (${cols.join(', ')}, PRIMARY KEY (id)) WITHOUT ROWID`)
  const insert = db.prepare(`INSERT INTO t VALUES (${cols.map(() => '?').join(', ')})`)
  const write = db.transaction((page: CrmRecord[]) => {
    const now = new Date().toISOString()
    for (const r of page) insert.run([r.id, r.createdAt, r.updatedAt, 0, null, null, JSON.stringify(r.properties), now, ...PROPS.map((p) => r.properties[p.name] ?? null)])
  })
  let page: CrmRecord[] = []
  const start = process.hrtime.bigint()
  for (let i = 0; i < total; i++) {
    page.push(makeRecord(i, 0))
    if (page.length === batch || i === total - 1) {
      write(page)
      page = []
    }
  }
  const rate = Math.round(total / (Number(process.hrtime.bigint() - start) / 1e9))
  db.close()
  return rate
}

/** Run the benchmark and return records per second of each pass. */
export function benchApply(total: number, batch: number): Record<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-bench-store-'))
  const store = openStore(path.join(dir, 'bench.db'))
  try {
    store.ensureEntity({entity: 'contacts', properties: PROPS})
    const result: Record<string, number> = {}
    for (const [pass, version] of [
      ['insert', 0],
      ['unchanged', 0],
      ['update', 1],
    ] as const) {
      let page: CrmRecord[] = []
      const start = process.hrtime.bigint()
      for (let i = 0; i < total; i++) {
        page.push(makeRecord(i, version))
        if (page.length === batch || i === total - 1) {
          store.applyRecords('contacts', 'contacts', page, {after: page[page.length - 1].id})
          page = []
        }
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9
      result[pass] = Math.round(total / seconds)
    }
    result.floor = floorRate(dir, total, batch)
    return result
  } finally {
    store.close()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const total = Number(process.argv[2] ?? 200_000)
  const batch = Number(process.argv[3] ?? 500)
  const r = benchApply(total, batch)
  console.log(`applyRecords, ${total} records, batches of ${batch} (records/s, including record construction):`)
  for (const [pass, rate] of Object.entries(r)) console.log(`  ${pass.padEnd(10)} ${rate}`)
  console.log(`  insert / floor = ${(r.insert / r.floor).toFixed(2)}`)
}
