/**
 * Builds one generated record (exactly the API's shape) from its index. Values are realistic
 * and include the awkward cases real portals have; see docs/portal-format.md.
 */
import type {Entity} from '../../connectors/hubspot/objects.js'
import {Rng} from '../prng.js'
import type {CrmRecord, PropertyDefinition} from '../../core/records.js'
import {APPOINTMENT_STATUSES, COMPANIES, DEAL_STAGES, DOMAINS, ENUM_OPTIONS, FIRST_NAMES, LAST_NAMES, LIFECYCLE_STAGES, PIPELINES, PRODUCTS, REGIONS, amount, longName, phone, text} from './values.js'
import {DAY, FORCED, NOW_MS, SHARED_MS, START_MS, type World} from './world.js'

type Props = Record<string, string | null>
const iso = (ms: number): string => new Date(ms).toISOString()
const HOUR = 3_600_000

export class RecordFactory {
  private readonly sorted: Record<string, string[]> = {}

  constructor(
    private readonly w: World,
    private readonly custom: PropertyDefinition[],
    allProps: Record<Entity, PropertyDefinition[]>,
  ) {
    for (const [e, defs] of Object.entries(allProps)) this.sorted[e] = defs.map((d) => d.name).sort()
  }

  /** Record `i` of entity `e`. */
  build(e: Entity, i: number): CrmRecord {
    const w = this.w
    const r = new Rng(w.seedOf(e, i, 0x7))
    const id = w.ids[e].id(i)
    const shared = e === 'contacts' && w.shared(i)
    const created = START_MS + r.int((shared ? SHARED_MS - DAY : NOW_MS - 2 * DAY) - START_MS)
    let updated = shared ? SHARED_MS : created + r.int(NOW_MS - HOUR - created)
    const archived = w.archived(e, i)
    let archivedAt: string | undefined
    if (archived) {
      updated = updated + r.int(NOW_MS - updated)
      archivedAt = iso(updated)
    }
    const p: Props = {hs_object_id: id, hs_merged_object_ids: null}
    const createdIso = iso(created)
    const updatedIso = iso(updated)
    switch (e) {
      case 'contacts':
        this.contact(p, r, i)
        p.createdate = createdIso
        p.lastmodifieddate = updatedIso
        break
      case 'deals':
        this.deal(p, r, i, created)
        p.createdate = createdIso
        p.hs_lastmodifieddate = updatedIso
        break
      case 'appointments':
        this.appointment(p, r, created)
        p.hs_createdate = createdIso
        p.hs_lastmodifieddate = updatedIso
        break
      case 'divisions':
        this.division(p, r, i)
        p.hs_createdate = createdIso
        p.hs_lastmodifieddate = updatedIso
        break
    }
    for (const def of this.custom) p[def.name] = customValue(def, r, created)
    const properties: Props = {}
    for (const k of this.sorted[e]) properties[k] = p[k] ?? null
    const rec: CrmRecord = {id, properties, createdAt: createdIso, updatedAt: updatedIso, archived}
    if (archivedAt) rec.archivedAt = archivedAt
    return rec
  }

  private contact(p: Props, r: Rng, i: number): void {
    const first = r.pick(FIRST_NAMES)
    const last = r.pick(LAST_NAMES)
    const long = i === FORCED.longNames || (i >= FORCED.firstRandom && r.chance(0.02))
    p.firstname = long ? longName(r) : first[0]
    p.lastname = long ? longName(r) : last[0]
    let email: string | null = `${first[1]}.${last[1]}${i}@${r.pick(DOMAINS)}`
    const roll = r.next()
    if (i === FORCED.messyEmail || (i >= FORCED.firstRandom && roll < 0.04)) {
      email = `${r.pick(['  ', ' ', ''])}${capitalize(first[1])}.${capitalize(last[1])}${i}@${email
        .split('@')[1]
        .toUpperCase()
        .replace(/\.COM$/, '.com')}${r.pick([' ', '  ', ' '])}`
    } else if (i >= FORCED.firstRandom && roll < 0.06) {
      email = null
    } else if (i >= FORCED.firstRandom && roll < 0.07) {
      email = ''
    }
    p.email = email
    const ph = r.next()
    p.phone = ph < 0.1 ? null : ph < 0.13 ? '' : phone(r)
    p.lifecyclestage = r.chance(0.05) ? null : r.pick(LIFECYCLE_STAGES)
    if (i >= FORCED.firstRandom) {
      if (r.chance(0.01)) p.firstname = ''
      if (r.chance(0.02)) p.lastname = null
    }
    if (i === FORCED.nulls) {
      p.email = null
      p.phone = ''
      p.lifecyclestage = null
      p.firstname = ''
      p.lastname = null
    }
    const merged = this.w.mergedIds(i)
    if (merged.length > 0) p.hs_merged_object_ids = merged.join(';')
  }

  private deal(p: Props, r: Rng, i: number, created: number): void {
    p.dealname = i === 5 || r.chance(0.01) ? `${r.pick(COMPANIES)} — ${longName(r)}` : `${r.pick(COMPANIES)} – ${r.pick(PRODUCTS)} ${2023 + r.int(4)}`
    const a = r.next()
    p.amount = i === 2 ? '1234.5678901234' : i === 3 ? null : i === 4 ? '' : a < 0.08 ? null : a < 0.1 ? '' : amount(r)
    p.dealstage = r.chance(0.03) ? null : r.pick(DEAL_STAGES)
    p.pipeline = r.pick(PIPELINES)
    p.closedate = r.chance(0.2) ? null : String(Math.floor(created / DAY) * DAY + r.int(180) * DAY)
  }

  private appointment(p: Props, r: Rng, created: number): void {
    const who = `${r.pick(FIRST_NAMES)[0]} ${r.pick(LAST_NAMES)[0]}`
    p.hs_appointment_name = `${r.pick(['Consultation', 'Follow-up', 'Demo', 'Site visit', 'Onboarding'])} – ${who}`
    const start = Math.floor((created + r.int(60) * DAY) / (15 * 60_000)) * 15 * 60_000
    p.hs_appointment_start = iso(start)
    p.hs_appointment_end = r.chance(0.03) ? null : iso(start + r.pick([30, 45, 60, 90]) * 60_000)
    p.hs_appointment_status = r.chance(0.03) ? null : r.pick(APPOINTMENT_STATUSES)
  }

  private division(p: Props, r: Rng, i: number): void {
    const region = r.pick(REGIONS)
    p.division_name = i === 2 || r.chance(0.02) ? `${region} ${longName(r)}` : `${region} Division ${i + 1}`
    p.division_code = `DIV-${String(i + 1).padStart(4, '0')}`
    p.region = r.chance(0.05) ? null : region
    const a = r.next()
    p.is_active = a < 0.8 ? 'true' : a < 0.95 ? 'false' : null
  }
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0].toUpperCase() + s.slice(1) : s
}

/** A value of a custom property, by type: dates as epoch ms at midnight, datetimes as ISO. */
function customValue(def: PropertyDefinition, r: Rng, created: number): string | null {
  const roll = r.next()
  if (roll < 0.15) return null
  switch (def.type) {
    case 'string':
      return roll < 0.18 ? '' : text(r)
    case 'number':
      return roll < 0.5 ? String(r.range(-1000, 100000)) : `${r.range(0, 99999)}.${r.range(1, 999999)}`
    case 'date':
      return String(Math.floor(created / DAY) * DAY + r.range(-30, 365) * DAY)
    case 'datetime':
      return iso(created + r.int(400 * DAY))
    case 'bool':
      return roll < 0.6 ? 'true' : 'false'
    case 'enumeration':
      if (def.fieldType === 'checkbox') return ENUM_OPTIONS.filter(() => r.chance(0.5)).join(';')
      return r.pick(ENUM_OPTIONS)
    default:
      return text(r)
  }
}
