/**
 * One publish scenario for every target dialect: a legacy-like starting state seeded from the
 * store (rows with their own primary keys, defects, a stale edge, a row of an archived record, an
 * orphan, and `crm_order` rows pointing at contacts), then the checks the issue lists.
 */
import {expect} from 'vitest'
import {openPublishStore, openStoreReader} from '../../src/store/open.js'
import type {MutationOp} from '../../src/emulator/index.js'
import type {PublishResult} from '../../src/parity/publish/run-publish.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import type {TargetDb} from './django-target.js'

export interface Seeded {
  /** hubspot_id → pk of the seeded rows that must keep their primary key */
  pks: Record<string, Map<string, string>>
  archivedKey: string | null
  orphanKey: string
  orders: number
}

const NOW = '2026-11-01 00:00:00'

/** Live and archived ids of an entity in the store. */
export async function storeIds(db: string, entity: string): Promise<{live: string[]; archived: string[]}> {
  const s = await openStoreReader(db)
  try {
    const live: string[] = []
    const archived: string[] = []
    for await (const r of s.rawRecords(entity)) (r.archived ? archived : live).push(r.id)
    return {live, archived}
  } finally {
    await s.close()
  }
}

/** Store edge count between two entities, counted once per pair. */
export async function storeEdges(db: string, from: string, to: string): Promise<number> {
  const s = await openStoreReader(db)
  try {
    const pairs = new Set<string>()
    for await (const e of s.associations({fromEntity: from, toEntity: to})) pairs.add(`${e.fromId}>${e.toId}`)
    return pairs.size
  } finally {
    await s.close()
  }
}

/** Seed the legacy-like state: pks from 5000 up, stale values, one stale through row, orders. */
export async function seedLegacy(t: TargetDb, db: string): Promise<Seeded> {
  const div = await storeIds(db, 'divisions')
  const con = await storeIds(db, 'contacts')
  const deal = await storeIds(db, 'deals')
  const pks: Seeded['pks'] = {crm_division: new Map(), crm_contact: new Map(), crm_deal: new Map()}
  let pk = 5000
  for (const id of div.live.slice(0, 2)) {
    await t.query(`INSERT INTO crm_division (id, hubspot_id, name, code, region, is_active, last_synced_at) VALUES (?, ?, 'OLD', 'X', '', NULL, ?)`, [++pk, id, NOW])
    pks.crm_division.set(id, String(pk))
  }
  for (const id of con.live.slice(0, 40)) {
    await t.query(
      `INSERT INTO crm_contact (id, hubspot_id, email, first_name, last_name, phone, lifecycle_stage, division_id, last_synced_at) VALUES (?, ?, 'OLD@EXAMPLE.COM', 'Old', '', '555', '', ?, ?)`,
      [++pk, id, [...pks.crm_division.values()][0], NOW],
    )
    pks.crm_contact.set(id, String(pk))
  }
  const archivedKey = con.archived[0] ?? null
  if (archivedKey)
    await t.query(`INSERT INTO crm_contact (id, hubspot_id, email, first_name, last_name, phone, lifecycle_stage, last_synced_at) VALUES (?, ?, 'gone@example.com', '', '', '', '', ?)`, [
      ++pk,
      archivedKey,
      NOW,
    ])
  const orphanKey = '987654321987'
  await t.query(`INSERT INTO crm_contact (id, hubspot_id, email, first_name, last_name, phone, lifecycle_stage, last_synced_at) VALUES (?, ?, 'orphan@example.com', '', '', '', '', ?)`, [
    ++pk,
    orphanKey,
    NOW,
  ])
  for (const id of deal.live.slice(0, 10)) {
    await t.query(`INSERT INTO crm_deal (id, hubspot_id, name, amount, stage, pipeline, last_synced_at) VALUES (?, ?, 'Old deal', 1.5, '', '', ?)`, [++pk, id, NOW])
    pks.crm_deal.set(id, String(pk))
  }
  // a stale edge: the first seeded deal with a seeded contact it is not associated with
  const reader = await openPublishStore(db) // SQLite file or postgres:// store: both have relatedIds
  const linked = new Set((await reader.relatedIds('deals', [deal.live[0]], 'contacts')).get(deal.live[0]))
  await reader.close()
  const stale = [...pks.crm_contact.keys()].find((c) => !linked.has(c))!
  await t.query('INSERT INTO crm_deal_contacts (deal_id, contact_id) VALUES (?, ?)', [pks.crm_deal.get(deal.live[0]), pks.crm_contact.get(stale)])
  const orderContacts = [...pks.crm_contact.values()].slice(0, 5)
  for (const [i, c] of orderContacts.entries()) await t.query('INSERT INTO crm_order (contact_id, total) VALUES (?, ?)', [c, 10 + i])
  return {pks, archivedKey, orphanKey, orders: orderContacts.length}
}

/** What every published target must show after a full publish of the store. */
export async function checkPublished(t: TargetDb, db: string, seeded: Seeded): Promise<void> {
  // every live record is a row, nothing else is
  for (const [entity, table] of [
    ['divisions', 'crm_division'],
    ['contacts', 'crm_contact'],
    ['deals', 'crm_deal'],
    ['appointments', 'crm_appointment'],
  ]) {
    const {live} = await storeIds(db, entity)
    const keys = (await t.query(`SELECT hubspot_id FROM ${table}`)).map((r) => String(r.hubspot_id)).sort()
    expect(keys, table).toEqual([...live].sort())
  }
  // seeded rows keep their primary keys
  for (const [table, byKey] of Object.entries(seeded.pks)) {
    for (const [key, pk] of byKey) expect(String((await t.query(`SELECT id FROM ${table} WHERE hubspot_id = ?`, [key]))[0]?.id), `${table} ${key}`).toBe(pk)
  }
  // the unrelated table's foreign keys still point at the same (live) contacts
  const orders = await t.query('SELECT o.id, c.hubspot_id FROM crm_order o JOIN crm_contact c ON c.id = o.contact_id')
  expect(orders.length).toBe(seeded.orders)
  // archived and unknown records were deleted (mapping: "archived": "delete", the legacy behaviour 7)
  if (seeded.archivedKey) expect(await t.query('SELECT 1 FROM crm_contact WHERE hubspot_id = ?', [seeded.archivedKey])).toEqual([])
  expect(await t.query('SELECT 1 FROM crm_contact WHERE hubspot_id = ?', [seeded.orphanKey])).toEqual([])
  // legacy representation
  for (const r of await t.query('SELECT email FROM crm_contact')) expect(String(r.email)).toBe(String(r.email).trim().toLowerCase())
  for (const r of await t.query('SELECT first_name FROM crm_contact')) expect([...String(r.first_name)].length).toBeLessThanOrEqual(100)
  for (const r of await t.query('SELECT hs_updated_at FROM crm_contact WHERE hs_updated_at IS NOT NULL')) expect(String(r.hs_updated_at)).not.toMatch(/:\d\d\.\d/) // whole seconds
  // every deal↔contact edge of the store, and only those
  const edges = await t.query('SELECT COUNT(*) AS n FROM crm_deal_contacts')
  expect(Number(edges[0].n)).toBe(await storeEdges(db, 'contacts', 'deals'))
}

/** One line of what a publish wrote, for the test's log: rows, then per table and through table. */
export function writtenSummary(r: PublishResult): string {
  return `${r.rowsWritten} rows written (${r.tables.map((t) => `${t.table} +${t.inserted} ~${t.updated} -${t.deleted}`).join(', ')}; ${r.through.map((t) => `${t.table} +${t.inserted} -${t.deleted}`).join(', ')})`
}

/**
 * The emulator mutations an incremental publish is tested with: an update of each kind of record,
 * archives, a merge, creates and association changes, on the store's live contacts `contact` to
 * `contact + 5` and deals `deal`, `deal + 2`, `deal + 8` (two suites on one portal pick others).
 */
export async function publishMutations(db: string, at: {contact: number; deal: number}): Promise<{ops: MutationOp[]; contacts: string[]}> {
  const con = (await storeIds(db, 'contacts')).live
  const deals = (await storeIds(db, 'deals')).live
  const divs = (await storeIds(db, 'divisions')).live
  const c = at.contact
  const d = at.deal
  const ops: MutationOp[] = [
    {kind: 'update', entity: 'contacts', id: con[c], properties: {email: '  Changed@Example.COM '}},
    {kind: 'update', entity: 'deals', id: deals[d], properties: {amount: '99.5'}},
    {kind: 'archive', entity: 'contacts', id: con[c + 1]},
    {kind: 'archive', entity: 'deals', id: deals[d + 2]},
    {kind: 'merge', entity: 'contacts', winnerId: con[c + 2], loserId: con[c + 3]},
    {kind: 'create', entity: 'deals', properties: {dealname: 'New deal', amount: '10'}},
    {kind: 'create', entity: 'contacts', properties: {email: 'new@example.com', firstname: 'New'}},
    {kind: 'associate', fromEntity: 'contacts', fromId: con[c + 4], toEntity: 'deals', toId: deals[d + 8]},
    {kind: 'unassociate', fromEntity: 'contacts', fromId: con[c + 4], toEntity: 'divisions', toId: divs[0]},
    {kind: 'associate', fromEntity: 'contacts', fromId: con[c + 5], toEntity: 'divisions', toId: divs[1]},
  ]
  return {ops, contacts: con}
}

/** The closed loop: a parity diff of a published target against its store finds no unexplained difference. */
export function expectClosedLoop(report: ParityReport): void {
  expect(report.totals.fieldMismatches).toBe(0)
  expect(report.totals.missingInNew).toBe(0)
  expect(report.totals.duplicateKeys).toBe(0)
  for (const e of report.entities) expect(e.counts.missing_in_legacy, e.entity).toBe(e.records?.explained ?? 0)
  expect(report.verdict.ready).toBe(true)
}
