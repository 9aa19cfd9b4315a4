/**
 * The official @hubspot/api-client, pointed at the emulator over real loopback HTTP with `basePath`,
 * reads a generated portal of > 10,000 contacts and gets back exactly the snapshot's records.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Client} from '@hubspot/api-client'
import {FilterOperatorEnum} from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ASSOCIATION_PAIRS, LIMITS} from '../../src/connectors/hubspot/objects.js'
import {startEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'
import {openPortal, type PortalReader} from '../../src/portal/snapshot.js'
import type {CrmRecord} from '../../src/core/records.js'

const TOKEN = 'official-client-token'
const CONTACTS = 12_000
let dir: string
let emu: RunningEmulator
let portal: PortalReader
let client: Client

interface ApiObject {
  id: string
  properties: Record<string, string | null>
  createdAt: Date
  updatedAt: Date
  archived?: boolean
  archivedAt?: Date
}

/** The client turns dates into Date objects: map back to the snapshot's JSON shape. */
function plain(o: ApiObject): CrmRecord {
  const r: CrmRecord = {id: o.id, properties: o.properties, createdAt: o.createdAt.toISOString(), updatedAt: o.updatedAt.toISOString(), archived: o.archived ?? false}
  if (o.archivedAt) r.archivedAt = o.archivedAt.toISOString()
  return r
}

async function snapshotRecords(entity: string): Promise<{live: Map<string, CrmRecord>; archived: Map<string, CrmRecord>; keys: string[]}> {
  const live = new Map<string, CrmRecord>()
  const archived = new Map<string, CrmRecord>()
  const keys = new Set<string>()
  for await (const r of portal.records(entity)) {
    ;(r.archived ? archived : live).set(r.id, r)
    for (const k of Object.keys(r.properties)) keys.add(k)
  }
  return {live, archived, keys: [...keys].sort()}
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-official-'))
  await generatePortal({out: join(dir, 'portal'), contacts: CONTACTS, deals: 400, appointments: 200, divisions: 6, seed: 11})
  portal = await openPortal(join(dir, 'portal'))
  emu = await startEmulator({portalDir: join(dir, 'portal'), token: TOKEN, associationPageSize: 100, rateLimit: 'none'})
  client = new Client({accessToken: TOKEN, basePath: emu.url})
})

afterAll(async () => {
  await emu?.stop()
  rmSync(dir, {recursive: true, force: true})
})

describe('@hubspot/api-client against the emulator', () => {
  it('list paging (basicApi.getPage) returns every live and archived contact exactly', async () => {
    const snap = await snapshotRecords('contacts')
    expect(snap.live.size).toBeGreaterThan(LIMITS.searchResultCap)
    for (const archived of [false, true]) {
      const got = new Map<string, CrmRecord>()
      let after: string | undefined
      do {
        const page = await client.crm.contacts.basicApi.getPage(100, after, snap.keys, undefined, undefined, archived)
        for (const o of page.results) got.set(o.id, plain(o as ApiObject))
        after = page.paging?.next?.after
      } while (after)
      const expected = archived ? snap.archived : snap.live
      expect(got.size).toBe(expected.size)
      for (const [id, rec] of expected) expect(got.get(id)).toEqual(rec)
    }
  })

  it('search sorted by lastmodifieddate, re-windowed past the 10,000 cap, finds every live contact', async () => {
    const snap = await snapshotRecords('contacts')
    const sortProp = 'lastmodifieddate'
    const got = new Map<string, CrmRecord>()
    let lastSeen: string | null = null
    let windows = 0
    let hitCap = false
    for (;;) {
      windows++
      let after: string | undefined
      let capped = false
      let last = lastSeen
      do {
        const res = await client.crm.contacts.searchApi.doSearch({
          filterGroups: lastSeen === null ? [] : [{filters: [{propertyName: sortProp, operator: FilterOperatorEnum.Gte, value: lastSeen}]}],
          sorts: [{propertyName: sortProp, direction: 'ASCENDING'}] as unknown as string[],
          properties: snap.keys,
          limit: LIMITS.searchPageMax,
          after: after ?? '0',
        })
        for (const o of res.results) {
          got.set(o.id, plain(o as ApiObject)) // re-windowing with GTE repeats the boundary records: de-dup by id
          last = o.properties[sortProp] ?? last
        }
        after = res.paging?.next?.after
        capped = after !== undefined && Number(after) >= LIMITS.searchResultCap
      } while (after && !capped)
      if (!capped) break // this window reached the end of the results
      hitCap = true
      if (last === lastSeen) throw new Error('more than 10,000 contacts share one modified value: GTE windows cannot advance')
      lastSeen = last
    }
    expect(hitCap).toBe(true)
    expect(windows).toBeGreaterThan(1)
    expect(got.size).toBe(snap.live.size)
    for (const [id, rec] of snap.live) expect(got.get(id)).toEqual(rec)
  })

  it('paging a single search past 10,000 results is refused with HTTP 400', async () => {
    await expect(client.crm.contacts.searchApi.doSearch({filterGroups: [], sorts: [], properties: ['email'], limit: 100, after: '10000'})).rejects.toMatchObject({code: 400})
  })

  it('batch read returns the same records as the snapshot', async () => {
    const snap = await snapshotRecords('deals')
    const ids = [...snap.live.keys()]
    for (let i = 0; i < ids.length; i += LIMITS.batchReadMax) {
      const res = await client.crm.deals.batchApi.read({inputs: ids.slice(i, i + LIMITS.batchReadMax).map((id) => ({id})), properties: snap.keys, propertiesWithHistory: []})
      expect(res.results).toHaveLength(Math.min(LIMITS.batchReadMax, ids.length - i))
      for (const o of res.results) expect(plain(o as ApiObject)).toEqual(snap.live.get(o.id))
    }
  })

  it('finds the custom object through the schemas API and lists it by objectTypeId', async () => {
    const schemas = await client.crm.schemas.coreApi.getAll()
    const div = schemas.results.find((s) => s.name === 'divisions')
    expect(div?.objectTypeId).toBe(portal.objectType('divisions').objectTypeId)
    const snap = await snapshotRecords('divisions')
    const page = await client.crm.objects.basicApi.getPage(div!.objectTypeId, 100, undefined, snap.keys)
    expect(page.results.map((o) => plain(o as ApiObject))).toEqual([...snap.live.values()])
  })

  it('v4 associations (batchApi.getPage) with per-record paging return every snapshot association', async () => {
    const expected = new Map<string, string>()
    // HubSpot sends toObjectId as a JSON number and the official client parses it with JSON.parse:
    // ids beyond 2^53 lose digits there (crmsync parses them from the raw text: see the conformance test)
    const asOfficialClientSees = (id: string): string => (BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER) ? String(Number(id)) : id)
    for await (const a of portal.associations()) expected.set(`${a.fromType}|${a.fromId}|${a.toType}|${asOfficialClientSees(a.toId)}`, JSON.stringify(a.types))
    const got = new Map<string, string>()
    let pagedRecords = 0
    for (const [from, to] of ASSOCIATION_PAIRS) {
      const ids: string[] = []
      for await (const r of portal.records(from)) ids.push(r.id)
      let queue = ids.map((id) => ({id, after: undefined as string | undefined}))
      while (queue.length > 0) {
        const batch = queue.slice(0, LIMITS.associationsBatchMax)
        queue = queue.slice(LIMITS.associationsBatchMax)
        const res = await client.crm.associations.v4.batchApi.getPage(from, to, {inputs: batch.map((b) => (b.after ? {id: b.id, after: b.after} : {id: b.id}))})
        for (const r of res.results) {
          for (const t of r.to) {
            const key = `${from}|${r._from.id}|${to}|${String(t.toObjectId)}`
            const types = t.associationTypes.map((x) => ({category: x.category, typeId: x.typeId, label: x.label ?? null}))
            got.set(key, JSON.stringify(types))
          }
          if (r.paging?.next?.after) {
            pagedRecords++
            queue.push({id: r._from.id, after: r.paging.next.after})
          }
        }
      }
    }
    expect(pagedRecords).toBeGreaterThan(0) // some record has more than one page (100) of associations
    expect(got.size).toBe(expected.size)
    expect(got).toEqual(expected)
  })
})
