/**
 * An independently written legacy variant for the "parity explains itself" tests: its own small
 * dumpdata writer (not the legacy simulator's code path), with switchable undocumented defects, and
 * the exact counts each defect must produce, computed here from the source.
 */
import {writeFileSync} from 'node:fs'
import type {CrmRecord} from '../../src/core/records.js'
import {SyntheticSource, type SyntheticOptions} from '../../src/parity/synthetic-source.js'

/** A synthetic source whose deal amounts sometimes have three decimals and whose ids can be shifted (another portal). */
export class VariantSource extends SyntheticSource {
  constructor(
    o: SyntheticOptions,
    private readonly idOffset = 0,
  ) {
    super(o)
  }

  override id(entity: string, i: number): string {
    return String(Number(super.id(entity, i)) + this.idOffset)
  }

  override record(entity: string, i: number): CrmRecord {
    const r = super.record(entity, i)
    if (entity === 'deals' && i % 4 === 0 && r.properties.amount) r.properties = {...r.properties, amount: (Number(r.properties.amount) + 0.006).toFixed(3)}
    return r
  }
}

export interface Defects {
  /** a bookkeeping model the mapping does not name */
  bookkeeping?: boolean
  /** legacy holds only the first N contacts in list order */
  contactCap?: number
  /** legacy lacks the last page (100) of deals in list order */
  dropLastDealPage?: boolean
  /** legacy keeps at most N contacts per deal */
  edgeCap?: number
  phoneDigits?: boolean
  amountTruncated?: boolean
  closeDateUtc?: boolean
  /** emails lowercased but not trimmed (the mapping documents both) */
  emailNotTrimmed?: boolean
  /** legacy leaves out every contact whose property `where.property` is `where.value` (null: absent or ""), and every `every`-th other contact */
  dropContacts?: Selection
  /** legacy stores "" as the phone of every contact (with a phone) in `where`, and of every `every`-th other contact with a phone */
  blankPhones?: Selection
  /** legacy stores no contacts for every deal (with contacts) in `where`, and for every `every`-th other deal with contacts */
  dropDealContacts?: Selection
}

/** Records chosen by a property value (`where`) and, among the rest, by position (every n-th). */
export interface Selection {
  where?: {property: string; value: string | null}
  every?: number
}

/** What a Selection hit: the records matching `where`, the others it took, and the records matching `where` it did not take (not eligible). */
export interface Selected {
  segment: number
  other: number
  segmentUntouched: number
}

export interface Expected {
  missingContacts: number
  missingDeals: number
  phoneDigits: number
  amountTruncated: number
  closeDateUtc: number
  cappedEdges: number
  /** deal→contact edges (of deals both sides hold) to contacts legacy lacks */
  consequenceDealContacts: number
  /** appointments whose first contact / deal is one legacy lacks */
  consequenceApptContact: number
  consequenceApptDeal: number
  /** emails that differ only by padding (not trimmed), and emails equal only after lowercasing / trimming */
  paddedEmails: number
  lowercaseOnly: number
  trimmedEqual: number
  bookkeepingRows: number
  droppedContacts: Selected
  blankedPhones: Selected
  droppedDealContacts: Selected
  /** the deal→contact edges those deals lose: of the deals in `where`, of the others */
  droppedDealEdges: {segment: number; other: number}
}

const byId = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
const wholeSeconds = (s: string | null | undefined): string | null => (s ? new Date(Math.floor(Date.parse(s) / 1000) * 1000).toISOString().replace('.000Z', 'Z') : null)
const chicago = new Intl.DateTimeFormat('en-CA', {timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit'})
const cutDecimals = (s: string): string => {
  const [int, frac = ''] = s.split('.')
  return `${int}.${frac.slice(0, 2).padEnd(2, '0')}`
}

const absent = (v: string | null | undefined): boolean => v === null || v === undefined || v === ''

/** Whether record `r` is in the segment `where` of Selection `s`. */
const inSegment = (s: Selection, r: CrmRecord): boolean => {
  if (!s.where) return false
  const v = r.properties[s.where.property]
  return s.where.value === null ? absent(v) : v === s.where.value
}

/** Whether Selection `s` takes record `r` (at position `i`) when `eligible`; counts into `into`. */
function pick(s: Selection | undefined, r: CrmRecord, i: number, into: Selected, eligible: boolean): boolean {
  if (!s) return false
  const seg = inSegment(s, r)
  if (!eligible) {
    if (seg) into.segmentUntouched++
    return false
  }
  const taken = seg || (s.every !== undefined && i % s.every === s.every - 1)
  if (seg) into.segment++
  else if (taken) into.other++
  return taken
}

async function all(src: SyntheticSource, entity: string): Promise<CrmRecord[]> {
  const out: CrmRecord[] = []
  for await (const r of src.records(entity, {archived: 'exclude'})) out.push(r)
  return out.sort((a, b) => byId(a.id, b.id))
}

/** Write the variant as one dumpdata JSON array at `path`; returns the counts its defects must produce. */
export async function writeLegacyVariant(src: SyntheticSource, path: string, d: Defects, syncedAt: string): Promise<Expected> {
  const links = new Map<string, string[]>() // "from:id>to" → ids, both directions
  const link = (a: string, ai: string, b: string, bi: string): void => {
    const k = `${a}:${ai}>${b}`
    links.set(k, [...(links.get(k) ?? []), bi])
  }
  for await (const a of src.associations()) {
    link(a.fromType, a.fromId, a.toType, a.toId)
    link(a.toType, a.toId, a.fromType, a.fromId)
  }
  const assoc = (e: string, id: string, t: string): string[] => [...new Set(links.get(`${e}:${id}>${t}`) ?? [])].sort(byId)
  const ex: Expected = {
    missingContacts: 0,
    missingDeals: 0,
    phoneDigits: 0,
    amountTruncated: 0,
    closeDateUtc: 0,
    cappedEdges: 0,
    consequenceDealContacts: 0,
    consequenceApptContact: 0,
    consequenceApptDeal: 0,
    paddedEmails: 0,
    lowercaseOnly: 0,
    trimmedEqual: 0,
    bookkeepingRows: 0,
    droppedContacts: {segment: 0, other: 0, segmentUntouched: 0},
    blankedPhones: {segment: 0, other: 0, segmentUntouched: 0},
    droppedDealContacts: {segment: 0, other: 0, segmentUntouched: 0},
    droppedDealEdges: {segment: 0, other: 0},
  }
  const rows: Array<{model: string; pk: number; fields: Record<string, unknown>}> = []
  const pk = new Map<string, number>() // "entity:id" → legacy pk
  const text = (v: string | null | undefined): string => v ?? ''

  const divisions = await all(src, 'divisions')
  divisions.forEach((r, i) => {
    pk.set(`divisions:${r.id}`, i + 1)
    rows.push({
      model: 'crm.division',
      pk: i + 1,
      fields: {
        hubspot_id: r.id,
        name: text(r.properties.division_name),
        code: text(r.properties.division_code),
        region: text(r.properties.region),
        is_active: r.properties.is_active === 'true',
        hs_created_at: wholeSeconds(r.createdAt),
        hs_updated_at: wholeSeconds(r.updatedAt),
        last_synced_at: syncedAt,
      },
    })
  })
  const fk = (e: string, id: string, t: string): number | null => {
    const first = assoc(e, id, t)[0]
    return first === undefined ? null : (pk.get(`${t}:${first}`) ?? null)
  }

  const contacts = await all(src, 'contacts')
  const keptContacts = (d.contactCap ? contacts.slice(0, d.contactCap) : contacts).filter((r, i) => !pick(d.dropContacts, r, i, ex.droppedContacts, true))
  ex.missingContacts = contacts.length - keptContacts.length
  keptContacts.forEach((r, i) => {
    const p = r.properties
    pk.set(`contacts:${r.id}`, 1000 + i)
    const email = p.email === null || p.email === undefined ? '' : d.emailNotTrimmed ? p.email.toLowerCase() : p.email.trim().toLowerCase()
    if (p.email) {
      const padded = p.email !== p.email.trim()
      if (d.emailNotTrimmed && padded) ex.paddedEmails++
      else if (padded) ex.trimmedEqual++
      else if (p.email !== p.email.toLowerCase()) ex.lowercaseOnly++
    }
    let phone = text(p.phone)
    if (d.phoneDigits && p.phone) {
      phone = p.phone.replace(/[^\d+]/g, '')
      if (phone !== p.phone) ex.phoneDigits++
    }
    if (pick(d.blankPhones, r, i, ex.blankedPhones, Boolean(p.phone))) phone = ''
    const cut = (v: string | null | undefined): string => [...text(v)].slice(0, 100).join('')
    rows.push({
      model: 'crm.contact',
      pk: 1000 + i,
      fields: {
        hubspot_id: r.id,
        email,
        first_name: cut(p.firstname),
        last_name: cut(p.lastname),
        phone,
        lifecycle_stage: text(p.lifecyclestage),
        division: fk('contacts', r.id, 'divisions'),
        hs_created_at: wholeSeconds(p.createdate),
        hs_updated_at: wholeSeconds(p.lastmodifieddate),
        last_synced_at: syncedAt,
      },
    })
  })

  const deals = await all(src, 'deals')
  const keptDeals = d.dropLastDealPage ? deals.slice(0, deals.length - 100) : deals
  ex.missingDeals = deals.length - keptDeals.length
  keptDeals.forEach((r, i) => {
    const p = r.properties
    pk.set(`deals:${r.id}`, 50_000 + i)
    let amount: string | null = p.amount ? Number(p.amount).toFixed(2) : null
    if (d.amountTruncated && p.amount) {
      amount = cutDecimals(p.amount)
      if (amount !== Number(p.amount).toFixed(2)) ex.amountTruncated++
    }
    let close: string | null = p.closedate ? chicago.format(Date.parse(p.closedate)) : null
    if (d.closeDateUtc && p.closedate) {
      const utc = p.closedate.slice(0, 10)
      if (utc !== close) ex.closeDateUtc++
      close = utc
    }
    const linked = assoc('deals', r.id, 'contacts')
    const stored = linked.filter((c) => pk.has(`contacts:${c}`))
    ex.consequenceDealContacts += linked.length - stored.length
    let kept = d.edgeCap ? stored.slice(0, d.edgeCap) : stored
    if (pick(d.dropDealContacts, r, i, ex.droppedDealContacts, stored.length > 0)) {
      ex.droppedDealEdges[d.dropDealContacts && inSegment(d.dropDealContacts, r) ? 'segment' : 'other'] += kept.length
      kept = []
    }
    ex.cappedEdges += stored.length - kept.length
    rows.push({
      model: 'crm.deal',
      pk: 50_000 + i,
      fields: {
        hubspot_id: r.id,
        name: text(p.dealname),
        amount,
        stage: text(p.dealstage),
        pipeline: text(p.pipeline),
        close_date: close,
        division: fk('deals', r.id, 'divisions'),
        contacts: kept.map((c) => pk.get(`contacts:${c}`)),
        hs_created_at: wholeSeconds(p.createdate),
        hs_updated_at: wholeSeconds(p.hs_lastmodifieddate),
        last_synced_at: syncedAt,
      },
    })
  })

  const appts = await all(src, 'appointments')
  appts.forEach((r, i) => {
    const p = r.properties
    const contact = fk('appointments', r.id, 'contacts')
    const deal = fk('appointments', r.id, 'deals')
    if (contact === null && assoc('appointments', r.id, 'contacts').length > 0) ex.consequenceApptContact++
    if (deal === null && assoc('appointments', r.id, 'deals').length > 0) ex.consequenceApptDeal++
    rows.push({
      model: 'crm.appointment',
      pk: 80_000 + i,
      fields: {
        hubspot_id: r.id,
        title: text(p.hs_appointment_name),
        starts_at: wholeSeconds(p.hs_appointment_start),
        ends_at: wholeSeconds(p.hs_appointment_end),
        status: text(p.hs_appointment_status),
        contact,
        deal,
        division: fk('appointments', r.id, 'divisions'),
        hs_created_at: wholeSeconds(p.hs_createdate),
        hs_updated_at: wholeSeconds(p.hs_lastmodifieddate),
        last_synced_at: syncedAt,
      },
    })
  })
  if (d.bookkeeping) {
    for (const [i, e] of ['contacts', 'deals', 'appointments'].entries()) rows.push({model: 'crm.synccursor', pk: i + 1, fields: {stream: e, cursor: '2025-12-31T00:00:00Z'}})
    ex.bookkeepingRows = 3
  }
  writeFileSync(path, `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n`)
  return ex
}
