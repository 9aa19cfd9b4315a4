/**
 * A small deterministic in-memory source portal for parity tests, the benchmark and the demo:
 * HubSpot-shaped records of the four entities and their associations, with the quirks the legacy
 * behaviours react to (mixed-case padded emails, names over 100 characters, millisecond
 * timestamps, amounts with one decimal, close dates late in the day, null values, archived records,
 * contacts in two divisions). Records are generated on demand, never held as a whole portal.
 */
import type {AssociationRow, CrmRecord} from '../core/records.js'
import type {SourceSnapshot} from './staging.js'

export interface SyntheticOptions {
  contacts: number
  deals?: number
  appointments?: number
  divisions?: number
  seed?: number
  /** every n-th record is archived (0 = none) */
  archivedEvery?: number
  /** modified times are spread evenly between these two instants */
  from?: string
  to?: string
}

const ID_BASE: Record<string, number> = {divisions: 9_000_000, contacts: 1_000_000, deals: 5_000_000, appointments: 7_000_000}
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'closedwon', 'closedlost']

function rnd(seed: number, i: number, salt: number): number {
  let x = (seed * 374761393 + i * 668265263 + salt * 2147483647) >>> 0
  x = Math.imul(x ^ (x >>> 15), 2246822519) >>> 0
  x = Math.imul(x ^ (x >>> 13), 3266489917) >>> 0
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296
}

/** A synthetic source; `records` and `associations` stream (generated per call). */
export class SyntheticSource implements SourceSnapshot {
  readonly counts: Record<string, number>
  readonly seed: number
  private readonly fromMs: number
  private readonly toMs: number
  private readonly archivedEvery: number

  constructor(o: SyntheticOptions) {
    this.counts = {divisions: o.divisions ?? 5, contacts: o.contacts, deals: o.deals ?? Math.ceil(o.contacts / 2), appointments: o.appointments ?? Math.ceil(o.contacts / 3)}
    this.seed = o.seed ?? 1
    this.fromMs = Date.parse(o.from ?? '2025-01-01T00:00:00Z')
    this.toMs = Date.parse(o.to ?? '2025-12-31T00:00:00Z')
    this.archivedEvery = o.archivedEvery ?? 0
  }

  id(entity: string, i: number): string {
    return String(ID_BASE[entity] + i * 3 + 1)
  }

  /** modified time of record i: spread evenly over [from, to] */
  modifiedMs(i: number, n: number): number {
    return Math.floor(this.fromMs + ((this.toMs - this.fromMs) * (i + 0.5)) / n) + (i % 1000)
  }

  record(entity: string, i: number): CrmRecord {
    const n = this.counts[entity]
    const r = (salt: number): number => rnd(this.seed, i, salt + entity.length * 31)
    const created = new Date(this.fromMs - 86_400_000 * (1 + Math.floor(r(1) * 300)) - Math.floor(r(2) * 86_400_000)).toISOString()
    const modified = new Date(this.modifiedMs(i, n)).toISOString()
    const archived = this.archivedEvery > 0 && i % this.archivedEvery === this.archivedEvery - 1
    let properties: Record<string, string | null>
    switch (entity) {
      case 'divisions':
        properties = {
          division_name: `Division ${i}`,
          division_code: `D${i}`,
          region: r(3) < 0.2 ? null : ['north', 'south', 'east', 'west'][i % 4],
          is_active: r(4) < 0.8 ? 'true' : 'false',
          hs_createdate: created,
          hs_lastmodifieddate: modified,
        }
        break
      case 'contacts': {
        const long = r(5) < 0.1
        properties = {
          email: r(6) < 0.1 ? null : `${r(7) < 0.3 ? '  ' : ''}${r(8) < 0.5 ? 'User' : 'user'}${i}@Example.COM${r(9) < 0.3 ? ' ' : ''}`,
          firstname: long ? `F${'a'.repeat(120)}${i}` : r(10) < 0.1 ? null : `First${i}`,
          lastname: r(11) < 0.1 ? null : `Last${i}`,
          phone: r(12) < 0.2 ? null : r(13) < 0.1 ? `+1 (555) 010-${String(i % 10000).padStart(4, '0')} ext. 12345` : `+1555010${String(i % 10000).padStart(4, '0')}`,
          lifecyclestage: r(14) < 0.1 ? null : ['lead', 'subscriber', 'customer'][i % 3],
          createdate: created,
          lastmodifieddate: modified,
        }
        break
      }
      case 'deals':
        properties = {
          dealname: `Deal ${i}`,
          amount: r(15) < 0.15 ? null : (Math.floor(r(16) * 1_000_000) / 10).toString(),
          dealstage: STAGES[i % STAGES.length],
          pipeline: 'default',
          closedate: r(17) < 0.2 ? null : new Date(Date.UTC(2025, i % 12, 1 + (i % 27), 3 + (i % 21), 30, 15, 250)).toISOString(),
          createdate: created,
          hs_lastmodifieddate: modified,
        }
        break
      default:
        properties = {
          hs_appointment_name: r(18) < 0.1 ? null : `Visit ${i}`,
          hs_appointment_start: new Date(this.fromMs + i * 3_600_000 + 123).toISOString(),
          hs_appointment_end: new Date(this.fromMs + i * 3_600_000 + 1_800_123).toISOString(),
          hs_appointment_status: ['scheduled', 'completed', 'canceled'][i % 3],
          hs_createdate: created,
          hs_lastmodifieddate: modified,
        }
    }
    return {id: this.id(entity, i), properties, createdAt: created, updatedAt: modified, archived, ...(archived ? {archivedAt: modified} : {})}
  }

  async *records(entity: string, opts: {archived?: 'include' | 'only' | 'exclude'} = {}): AsyncGenerator<CrmRecord> {
    const mode = opts.archived ?? 'include'
    for (let i = 0; i < (this.counts[entity] ?? 0); i++) {
      const rec = this.record(entity, i)
      if (mode === 'include' || (mode === 'only') === rec.archived) yield rec
    }
  }

  /** Association rows in canonical direction (ASSOCIATION_PAIRS) and canonical order. */
  async *associations(): AsyncGenerator<AssociationRow> {
    const c = this.counts
    const row = (fromType: string, fromId: string, toType: string, toId: string, typeId: number): AssociationRow => ({
      fromType,
      fromId,
      toType,
      toId,
      types: [{category: 'HUBSPOT_DEFINED', typeId, label: null}],
    })
    // HubSpot drops the associations of deleted records: none from or to an archived record
    const live = (i: number): boolean => !(this.archivedEvery > 0 && i % this.archivedEvery === this.archivedEvery - 1)
    const targets = (i: number, to: string, max: number, salt: number): number[] => {
      if (!live(i) || c[to] === 0) return []
      const k = Math.floor(rnd(this.seed, i, salt) * (max + 1))
      const out = new Set<number>()
      for (let j = 0; j < k; j++) out.add(Math.floor(rnd(this.seed, i * 7 + j, salt + 1) * c[to]))
      return [...out].filter(live).sort((a, b) => a - b)
    }
    // canonical order of the snapshot format: fromType, fromId, toType, toId
    const plan: Record<string, Array<[string, number, number, number]>> = {
      appointments: [
        ['contacts', 1, 400, 906],
        ['deals', 1, 500, 944],
        ['divisions', 2, 600, 47],
      ],
      contacts: [
        ['deals', 2, 100, 4],
        ['divisions', 2, 200, 41],
      ],
      deals: [['divisions', 1, 300, 45]],
    }
    for (const from of Object.keys(plan).sort()) {
      for (let i = 0; i < c[from]; i++) {
        for (const [to, max, salt, typeId] of plan[from]) for (const t of targets(i, to, max, salt)) yield row(from, this.id(from, i), to, this.id(to, t), typeId)
      }
    }
  }
}
