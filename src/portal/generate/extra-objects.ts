/**
 * Companies (0-2) and tickets (0-5): optional standard objects a generated portal can include
 * (`--companies N`, `--tickets N`, both 0 by default so existing snapshots stay byte-identical).
 * Plain records with HubSpot's standard properties, no associations: enough for clients that read
 * every standard object (the emulator serves them generically like the others).
 */
import type {CrmRecord} from '../../core/records.js'
import type {HubSpotPropertyDefinition as PropertyDefinition} from '../types.js'
import {prng} from '../prng.js'
import {NOW_MS, START_MS} from './world.js'

export interface ExtraObject {
  name: 'companies' | 'tickets'
  objectTypeId: string
  /** first record id (ids count up from here) */
  firstId: number
  properties: PropertyDefinition[]
  build(id: string, rnd: () => number): Record<string, string | null>
}

const p = (name: string, label: string, type: PropertyDefinition['type'], fieldType: string, options?: string[]): PropertyDefinition => ({
  name,
  label,
  type,
  fieldType,
  groupName: 'information',
  hubspotDefined: true,
  ...(options ? {options: options.map((v, i) => ({label: v, value: v, displayOrder: i, hidden: false}))} : {}),
})

const INDUSTRIES = ['COMPUTER_SOFTWARE', 'FINANCIAL_SERVICES', 'HOSPITAL_HEALTH_CARE', 'RETAIL', 'CONSTRUCTION']
const TICKET_STAGES = ['1', '2', '3', '4']
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH']
const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)]

export const EXTRA_OBJECTS: ExtraObject[] = [
  {
    name: 'companies',
    objectTypeId: '0-2',
    firstId: 8_000_000_001,
    properties: [
      p('name', 'Name', 'string', 'text'),
      p('domain', 'Domain', 'string', 'text'),
      p('industry', 'Industry', 'enumeration', 'select', INDUSTRIES),
      p('createdate', 'Create date', 'datetime', 'date'),
      p('hs_lastmodifieddate', 'Last modified date', 'datetime', 'date'),
      p('hs_object_id', 'Record ID', 'number', 'number'),
    ],
    build: (id, rnd) => ({name: `Company ${id.slice(-5)}`, domain: `company${id.slice(-5)}.example.com`, industry: pick(INDUSTRIES, rnd)}),
  },
  {
    name: 'tickets',
    objectTypeId: '0-5',
    firstId: 9_000_000_001,
    properties: [
      p('subject', 'Ticket name', 'string', 'text'),
      p('hs_pipeline', 'Pipeline', 'enumeration', 'select', ['0']),
      p('hs_pipeline_stage', 'Ticket status', 'enumeration', 'select', TICKET_STAGES),
      p('hs_ticket_priority', 'Priority', 'enumeration', 'select', PRIORITIES),
      p('createdate', 'Create date', 'datetime', 'date'),
      p('hs_lastmodifieddate', 'Last modified date', 'datetime', 'date'),
      p('hs_object_id', 'Record ID', 'number', 'number'),
    ],
    build: (_id, rnd) => ({
      subject: `Ticket about ${pick(['billing', 'login', 'export', 'shipping'], rnd)}`,
      hs_pipeline: '0',
      hs_pipeline_stage: pick(TICKET_STAGES, rnd),
      hs_ticket_priority: pick(PRIORITIES, rnd),
    }),
  },
]

/** Record `i` of an extra object type, the same for the same seed. */
export function extraRecord(o: ExtraObject, seed: number, i: number): CrmRecord {
  const rnd = prng(seed * 7919 + o.firstId + i)
  const id = String(o.firstId + i)
  const created = START_MS + Math.floor(rnd() * (NOW_MS - START_MS))
  const modified = created + Math.floor(rnd() * (NOW_MS - created))
  const createdIso = new Date(created).toISOString()
  const modifiedIso = new Date(modified).toISOString()
  return {id, properties: {...o.build(id, rnd), createdate: createdIso, hs_lastmodifieddate: modifiedIso, hs_object_id: id}, createdAt: createdIso, updatedAt: modifiedIso, archived: false}
}
