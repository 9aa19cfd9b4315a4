/**
 * The reference legacy Django system (shared/legacy-system.md) as code: how its sync jobs turn a
 * HubSpot record into a `crm_*` row, applying documented behaviours 1–8 (9: `last_synced_at` is the
 * job's own clock). Used by the legacy simulator; the differ itself never hard-codes any of this.
 */

/** The reference schema: model, table and text (CharField) columns per entity. */
export const DJANGO_MODELS = {
  divisions: {model: 'crm.division', table: 'crm_division', text: ['name', 'code', 'region']},
  contacts: {model: 'crm.contact', table: 'crm_contact', text: ['email', 'first_name', 'last_name', 'phone', 'lifecycle_stage']},
  deals: {model: 'crm.deal', table: 'crm_deal', text: ['name', 'stage', 'pipeline']},
  appointments: {model: 'crm.appointment', table: 'crm_appointment', text: ['title', 'status']},
} as const
export type DjangoEntity = keyof typeof DJANGO_MODELS

/** legacy field → HubSpot property (or createdAt/updatedAt), per entity. */
export const FIELD_SOURCES: Record<DjangoEntity, Record<string, string>> = {
  divisions: {name: 'division_name', code: 'division_code', region: 'region', is_active: 'is_active', hs_created_at: 'createdAt', hs_updated_at: 'updatedAt'},
  contacts: {email: 'email', first_name: 'firstname', last_name: 'lastname', phone: 'phone', lifecycle_stage: 'lifecyclestage', hs_created_at: 'createdate', hs_updated_at: 'lastmodifieddate'},
  deals: {name: 'dealname', amount: 'amount', stage: 'dealstage', pipeline: 'pipeline', close_date: 'closedate', hs_created_at: 'createdate', hs_updated_at: 'hs_lastmodifieddate'},
  appointments: {
    title: 'hs_appointment_name',
    starts_at: 'hs_appointment_start',
    ends_at: 'hs_appointment_end',
    status: 'hs_appointment_status',
    hs_created_at: 'hs_createdate',
    hs_updated_at: 'hs_lastmodifieddate',
  },
}

/** FK fields (`field` → target entity) and the many-to-many field. */
export const DJANGO_RELATIONS: Record<DjangoEntity, {fk: Record<string, DjangoEntity>; m2m: Record<string, DjangoEntity>}> = {
  divisions: {fk: {}, m2m: {}},
  contacts: {fk: {division: 'divisions'}, m2m: {}},
  deals: {fk: {division: 'divisions'}, m2m: {contacts: 'contacts'}},
  appointments: {fk: {contact: 'contacts', deal: 'deals', division: 'divisions'}, m2m: {}},
}

/** Whole seconds, Django's JSON form (behaviour 4). */
export function djangoDatetime(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  if (Number.isNaN(ms)) return null
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const chicago = new Intl.DateTimeFormat('en-CA', {timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit'})
/** The calendar date in the legacy TIME_ZONE (behaviour 6). */
export function djangoDate(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v)
  return Number.isNaN(ms) ? null : chicago.format(ms)
}

/** The value the legacy job stores for one field (behaviours 1–6). */
export function legacyValue(entity: DjangoEntity, field: string, raw: string | null | undefined): unknown {
  const text = (DJANGO_MODELS[entity].text as readonly string[]).includes(field)
  if (text) {
    let v = raw ?? '' // 1: never NULL
    if (field === 'email') v = v.trim().toLowerCase() // 2
    if (field === 'first_name' || field === 'last_name') v = [...v].slice(0, 100).join('') // 3
    return v
  }
  if (field === 'is_active') return raw === 'true'
  if (field === 'amount') return raw === null || raw === undefined || raw === '' || Number.isNaN(Number(raw)) ? null : Number(raw).toFixed(2) // 5
  if (field === 'close_date') return djangoDate(raw) // 6
  return djangoDatetime(raw) // 4
}

/** The legacy pk of a HubSpot record: the legacy system's own number, unrelated to the HubSpot id. */
export function legacyPk(entity: DjangoEntity, hubspotId: string): number {
  const salt = {divisions: 11, contacts: 23, deals: 37, appointments: 51}[entity]
  // injective for every id the generator makes (small, ~3e9 + n, 19-digit): a modulus far above the
  // small and mid ids keeps them distinct (the former `% 1e9` mapped 3000000228 onto 228's pk)
  return Number((BigInt(hubspotId) % 100_000_000_000_031n) * 64n + BigInt(salt))
}
