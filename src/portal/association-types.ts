/**
 * The association types a generated portal uses, in both directions with inverse type ids
 * (manifest `associationTypes`). The HUBSPOT_DEFINED ones are HubSpot's official default ids
 * (contact→deal 4 / deal→contact 3, appointment→contact 906 / contact→appointment 907,
 * appointment→deal 944 / deal→appointment 945); USER_DEFINED ones are plausible stand-ins
 * (HubSpot assigns those per portal).
 */
import type {AssociationType, AssociationTypeDef} from '../core/records.js'

interface PairType {
  fromType: string
  toType: string
  category: AssociationType['category']
  typeId: number
  inverseTypeId: number
  label: string | null
  /** label seen from the other side (HubSpot's paired labels); defaults to `label` */
  inverseLabel?: string | null
}

/** Canonical-direction types (from → to as in ASSOCIATION_PAIRS). */
export const CANONICAL_TYPES = {
  contactDeal: {fromType: 'contacts', toType: 'deals', category: 'HUBSPOT_DEFINED', typeId: 4, inverseTypeId: 3, label: null},
  contactDealDecisionMaker: {fromType: 'contacts', toType: 'deals', category: 'USER_DEFINED', typeId: 1, inverseTypeId: 2, label: 'Decision maker'},
  contactDealBilling: {fromType: 'contacts', toType: 'deals', category: 'USER_DEFINED', typeId: 5, inverseTypeId: 6, label: 'Billing contact', inverseLabel: 'Billed deal'},
  contactDivision: {fromType: 'contacts', toType: 'divisions', category: 'USER_DEFINED', typeId: 41, inverseTypeId: 42, label: null},
  contactDivisionPrimary: {fromType: 'contacts', toType: 'divisions', category: 'USER_DEFINED', typeId: 43, inverseTypeId: 44, label: 'Primary division', inverseLabel: 'Primary contact'},
  dealDivision: {fromType: 'deals', toType: 'divisions', category: 'USER_DEFINED', typeId: 45, inverseTypeId: 46, label: null},
  appointmentContact: {fromType: 'appointments', toType: 'contacts', category: 'HUBSPOT_DEFINED', typeId: 906, inverseTypeId: 907, label: null},
  appointmentContactOrganizer: {fromType: 'appointments', toType: 'contacts', category: 'USER_DEFINED', typeId: 51, inverseTypeId: 52, label: 'Organizer', inverseLabel: 'Organized appointment'},
  appointmentDeal: {fromType: 'appointments', toType: 'deals', category: 'HUBSPOT_DEFINED', typeId: 944, inverseTypeId: 945, label: null},
  appointmentDivision: {fromType: 'appointments', toType: 'divisions', category: 'USER_DEFINED', typeId: 47, inverseTypeId: 48, label: null},
} as const satisfies Record<string, PairType>

export type CanonicalTypeKey = keyof typeof CANONICAL_TYPES

/** The row-level type (category, typeId, label) of a canonical association type. */
export function rowType(key: CanonicalTypeKey): AssociationType {
  const t: PairType = CANONICAL_TYPES[key]
  return {category: t.category, typeId: t.typeId, label: t.label}
}

/** Every type in both directions, sorted by (fromType, toType, typeId). */
export function defaultAssociationTypes(): AssociationTypeDef[] {
  const out: AssociationTypeDef[] = []
  for (const t of Object.values(CANONICAL_TYPES) as PairType[]) {
    out.push({fromType: t.fromType, toType: t.toType, category: t.category, typeId: t.typeId, label: t.label, inverseTypeId: t.inverseTypeId})
    const inverseLabel = t.inverseLabel === undefined ? t.label : t.inverseLabel
    out.push({fromType: t.toType, toType: t.fromType, category: t.category, typeId: t.inverseTypeId, label: inverseLabel, inverseTypeId: t.typeId})
  }
  return out.sort((a, b) => (a.fromType < b.fromType ? -1 : a.fromType > b.fromType ? 1 : a.toType < b.toType ? -1 : a.toType > b.toType ? 1 : a.typeId - b.typeId))
}
