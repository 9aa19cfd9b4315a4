/**
 * The record types of the whole system, CRM-neutral: what a connector's stream yields, what the
 * store keeps, what a snapshot holds and what parity compares. A connector maps its CRM's payload
 * onto these; nothing here knows a CRM's wire format.
 */

/** Property value types a store can type a column by (a connector maps its CRM's types onto these). */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number'

/** One property of an object type, as a connector describes it. */
export interface PropertyDefinition {
  name: string
  label: string
  type: PropertyType
  fieldType: string
  groupName?: string
  description?: string
  options?: Array<{label: string; value: string; displayOrder?: number; hidden?: boolean}>
  calculated?: boolean
  hasUniqueValue?: boolean
}

/**
 * One CRM object record. `id` is opaque text (digit strings can exceed 2^53: never numbers);
 * every property value is a string or null; times are ISO 8601.
 */
export interface CrmRecord {
  id: string
  properties: Record<string, string | null>
  createdAt: string
  updatedAt: string
  archived: boolean
  archivedAt?: string
}

/** One type of association between two records: the CRM's category, numeric type id and label. */
export interface AssociationType {
  category: string
  typeId: number
  label: string | null
}

/** One from→to record pair with every association type between them. */
export interface AssociationRow {
  /** entity name, e.g. "contacts" */
  fromType: string
  fromId: string
  toType: string
  toId: string
  types: AssociationType[]
}

/**
 * One association type in one direction, plus the type id of the same association seen from the
 * other side (`inverseTypeId`), so that a reader can serve the reverse direction of an edge stored
 * once in its canonical direction.
 */
export interface AssociationTypeDef {
  /** entity name of the `from` side, e.g. "contacts" */
  fromType: string
  /** entity name of the `to` side, e.g. "deals" */
  toType: string
  category: string
  typeId: number
  label: string | null
  /** typeId of the same association type in the toType→fromType direction */
  inverseTypeId: number
}
