/** A small in-memory portal and request helpers for the emulator unit tests. */
import {getResponse} from 'msw'
import {createEmulator, type EmulatorOptions, type InProcessEmulator} from '../../src/emulator/index.js'
import {memoryPortal} from '../../src/emulator/memory-portal.js'
import type {AssociationRow, CrmRecord, PropertyDefinition} from '../../src/core/records.js'

export const TOKEN = 'test-token'
export const BIG_ID = '9007199254740993' // > 2^53
export const BASE = 'http://emulator.test'

const prop = (name: string, type: PropertyDefinition['type']): PropertyDefinition => ({name, label: name, type, fieldType: type === 'number' ? 'number' : 'text'})

/** Contact n: modified T0 + n minutes; odd ids store the date as epoch ms, even ones as ISO. */
export const T0 = Date.parse('2024-01-01T00:00:00.000Z')

export function contact(id: string, n: number, extra: Partial<CrmRecord> = {}): CrmRecord {
  const mod = T0 + n * 60_000
  return {
    id,
    properties: {
      hs_object_id: id,
      email: `user${n}@example.com`,
      firstname: n % 3 === 0 ? null : `Name${n}`,
      score: String(n * 10),
      birthdate: n % 2 ? String(T0 - n * 86_400_000) : new Date(T0 - n * 86_400_000).toISOString().slice(0, 10),
      createdate: new Date(T0).toISOString(),
      lastmodifieddate: n % 2 ? String(mod) : new Date(mod).toISOString(),
      ...(n === 7 ? {nickname: ''} : {}),
    },
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(mod).toISOString(),
    archived: false,
    ...extra,
  }
}

/** 30 contacts (ids 1..30; 5 archived) plus BIG_ID, 5 deals, 2 divisions, associations. */
export function sampleSource(contactCount = 30): ReturnType<typeof memoryPortal> {
  const contacts: CrmRecord[] = []
  for (let n = 1; n <= contactCount; n++) contacts.push(contact(String(n), n, n === 5 ? {archived: true, archivedAt: '2024-02-01T00:00:00.000Z'} : {}))
  contacts.push(contact(BIG_ID, contactCount + 1))
  const deals: CrmRecord[] = []
  for (let n = 1; n <= 5; n++) {
    const id = String(100 + n)
    deals.push({
      id,
      properties: {hs_object_id: id, dealname: `Deal ${n}`, amount: String(n * 1000.5), hs_lastmodifieddate: new Date(T0 + n * 1000).toISOString()},
      createdAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0 + n * 1000).toISOString(),
      archived: false,
    })
  }
  const divisions: CrmRecord[] = ['201', '202'].map((id) => ({
    id,
    properties: {hs_object_id: id, division_name: `Div ${id}`, hs_lastmodifieddate: new Date(T0).toISOString()},
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    archived: false,
  }))
  const associations: AssociationRow[] = []
  for (const d of deals) associations.push({fromType: 'contacts', fromId: '1', toType: 'deals', toId: d.id, types: [{category: 'HUBSPOT_DEFINED', typeId: 4, label: null}]})
  associations.push({
    fromType: 'contacts',
    fromId: '2',
    toType: 'deals',
    toId: '101',
    types: [
      {category: 'HUBSPOT_DEFINED', typeId: 4, label: null},
      {category: 'USER_DEFINED', typeId: 5, label: 'Billing contact'},
    ],
  })
  associations.push({fromType: 'contacts', fromId: '3', toType: 'divisions', toId: '201', types: [{category: 'USER_DEFINED', typeId: 41, label: null}]})
  return memoryPortal({
    objects: [
      {
        name: 'contacts',
        objectTypeId: '0-1',
        properties: [prop('email', 'string'), prop('firstname', 'string'), prop('score', 'number'), prop('birthdate', 'date'), prop('createdate', 'datetime'), prop('lastmodifieddate', 'datetime')],
        records: contacts,
      },
      {name: 'deals', objectTypeId: '0-3', properties: [prop('dealname', 'string'), prop('amount', 'number'), prop('hs_lastmodifieddate', 'datetime')], records: deals},
      {name: 'divisions', objectTypeId: '2-999', fullyQualifiedName: 'p1_divisions', properties: [prop('division_name', 'string')], records: divisions},
    ],
    associations,
    associationTypes: [
      {fromType: 'contacts', toType: 'deals', category: 'HUBSPOT_DEFINED', typeId: 4, label: null, inverseTypeId: 3},
      {fromType: 'deals', toType: 'contacts', category: 'HUBSPOT_DEFINED', typeId: 3, label: null, inverseTypeId: 4},
      {fromType: 'contacts', toType: 'deals', category: 'USER_DEFINED', typeId: 5, label: 'Billing contact', inverseTypeId: 6},
      {fromType: 'deals', toType: 'contacts', category: 'USER_DEFINED', typeId: 6, label: 'Billed deal', inverseTypeId: 5},
    ],
  })
}

/** A manually advanced clock. */
export function fakeClock(start = Date.parse('2025-06-01T12:00:00.000Z')): {now: () => number; advance(ms: number): void} {
  let t = start
  return {now: () => t, advance: (ms) => void (t += ms)}
}

export async function emulator(opts: Partial<EmulatorOptions> = {}, source = sampleSource()): Promise<InProcessEmulator> {
  // no search limit unless a test passes one: these tests hammer search for its behaviour, not its pacing (the default 5/s: emulator-limits.test.ts)
  return createEmulator({portal: source, token: TOKEN, searchRate: 'none', ...opts})
}

export interface Reply {
  status: number
  headers: Headers
  body: any // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string
  error: boolean
}

/** Sends one request through the msw handlers in-process. */
export async function call(emu: InProcessEmulator, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {authorization: `Bearer ${TOKEN}`}): Promise<Reply> {
  const init: RequestInit = {method, headers: {'content-type': 'application/json', ...headers}}
  if (body !== undefined) init.body = JSON.stringify(body)
  const res = await getResponse(emu.handlers, new Request(BASE + path, init))
  if (!res) throw new Error(`no handler for ${method} ${path}`)
  if (res.type === 'error') return {status: 0, headers: res.headers, body: undefined, text: '', error: true}
  const text = await res.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  return {status: res.status, headers: res.headers, body: parsed, text, error: false}
}
