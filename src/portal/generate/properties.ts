/**
 * Property definitions of a generated portal (as GET /crm/v3/properties/{objectType} returns
 * them), custom properties of every type, and the `divisions` custom object schema.
 */
import type {PropertyType} from '../../core/records.js'
import type {HubSpotPropertyDefinition as PropertyDefinition} from '../types.js'
import {APPOINTMENT_STATUSES, DEAL_STAGES, ENUM_OPTIONS, LIFECYCLE_STAGES, PIPELINES} from './values.js'

const opts = (values: readonly string[]): PropertyDefinition['options'] => [...new Set(values)].map((v, i) => ({label: v, value: v, displayOrder: i, hidden: false}))

const std = (name: string, label: string, type: PropertyType, fieldType: string, extra: Partial<PropertyDefinition> = {}): PropertyDefinition => ({
  name,
  label,
  type,
  fieldType,
  groupName: extra.groupName ?? 'information',
  hubspotDefined: true,
  ...extra,
})

const common = (createProp: string, modifiedProp: string): PropertyDefinition[] => [
  std(createProp, 'Create date', 'datetime', 'date', {calculated: false}),
  std(modifiedProp, 'Last modified date', 'datetime', 'date', {calculated: true}),
  std('hs_object_id', 'Record ID', 'number', 'number', {calculated: true, hasUniqueValue: true}),
  std('hs_merged_object_ids', 'Merged record IDs', 'enumeration', 'checkbox', {calculated: true, options: []}),
]

/** Standard (HubSpot-defined or schema-defined) properties of each generated entity. */
export const STANDARD_PROPERTIES: Record<string, PropertyDefinition[]> = {
  contacts: [
    std('email', 'Email', 'string', 'text', {groupName: 'contactinformation', hasUniqueValue: true}),
    std('firstname', 'First name', 'string', 'text', {groupName: 'contactinformation'}),
    std('lastname', 'Last name', 'string', 'text', {groupName: 'contactinformation'}),
    std('phone', 'Phone number', 'string', 'phonenumber', {groupName: 'contactinformation'}),
    std('lifecyclestage', 'Lifecycle stage', 'enumeration', 'radio', {groupName: 'contactinformation', options: opts(LIFECYCLE_STAGES)}),
    ...common('createdate', 'lastmodifieddate'),
  ],
  deals: [
    std('dealname', 'Deal name', 'string', 'text', {groupName: 'dealinformation'}),
    std('amount', 'Amount', 'number', 'number', {groupName: 'dealinformation'}),
    std('dealstage', 'Deal stage', 'enumeration', 'radio', {groupName: 'dealinformation', options: opts(DEAL_STAGES)}),
    std('pipeline', 'Pipeline', 'enumeration', 'select', {groupName: 'dealinformation', options: opts(PIPELINES)}),
    std('closedate', 'Close date', 'date', 'date', {groupName: 'dealinformation', description: 'Epoch milliseconds at midnight UTC'}),
    ...common('createdate', 'hs_lastmodifieddate'),
  ],
  appointments: [
    std('hs_appointment_name', 'Appointment name', 'string', 'text'),
    std('hs_appointment_start', 'Appointment start', 'datetime', 'date'),
    std('hs_appointment_end', 'Appointment end', 'datetime', 'date'),
    std('hs_appointment_status', 'Appointment status', 'enumeration', 'select', {options: opts(APPOINTMENT_STATUSES)}),
    ...common('hs_createdate', 'hs_lastmodifieddate'),
  ],
  divisions: [
    std('division_name', 'Division name', 'string', 'text', {groupName: 'division_information', hubspotDefined: false, hasUniqueValue: false}),
    std('division_code', 'Division code', 'string', 'text', {groupName: 'division_information', hubspotDefined: false, hasUniqueValue: true}),
    std('region', 'Region', 'string', 'text', {groupName: 'division_information', hubspotDefined: false}),
    std('is_active', 'Is active', 'bool', 'booleancheckbox', {
      groupName: 'division_information',
      hubspotDefined: false,
      options: [
        {label: 'Yes', value: 'true', displayOrder: 0, hidden: false},
        {label: 'No', value: 'false', displayOrder: 1, hidden: false},
      ],
    }),
    ...common('hs_createdate', 'hs_lastmodifieddate'),
  ],
}

export const CUSTOM_TYPES: ReadonlyArray<{type: PropertyType; fieldType: string}> = [
  {type: 'string', fieldType: 'text'},
  {type: 'number', fieldType: 'number'},
  {type: 'date', fieldType: 'date'},
  {type: 'datetime', fieldType: 'date'},
  {type: 'enumeration', fieldType: 'select'},
  {type: 'bool', fieldType: 'booleancheckbox'},
  {type: 'enumeration', fieldType: 'checkbox'},
]

/** Valid HubSpot property names that are SQL keywords: sinks must quote identifiers. */
const AWKWARD_NAMES = ['order', 'group', 'select', 'from', 'where', 'index', 'table']

/** `n` custom properties cycling through every property type; the first few are SQL keywords. */
export function customProperties(n: number): PropertyDefinition[] {
  const out: PropertyDefinition[] = []
  for (let k = 0; k < n; k++) {
    const t = CUSTOM_TYPES[k % CUSTOM_TYPES.length]
    const name = k < AWKWARD_NAMES.length ? AWKWARD_NAMES[k] : `custom_${t.type}_${String(k).padStart(4, '0')}`
    const def: PropertyDefinition = {name, label: `Custom ${t.type} #${k} <${name}> & "co"`, type: t.type, fieldType: t.fieldType, groupName: 'custom_properties', hubspotDefined: false}
    if (t.type === 'enumeration') def.options = opts(ENUM_OPTIONS)
    if (t.type === 'bool')
      def.options = [
        {label: 'Yes', value: 'true', displayOrder: 0, hidden: false},
        {label: 'No', value: 'false', displayOrder: 1, hidden: false},
      ]
    out.push(def)
  }
  return out
}

/** The `divisions` schema as one item of GET /crm/v3/schemas `results`. */
export function divisionsSchema(opts: {
  portalId: number
  objectTypeId: string
  properties: PropertyDefinition[]
  createdAt: string
  associatedTypeIds: Array<{id: string; toObjectTypeId: string; name: string}>
}): Record<string, unknown> {
  const id = opts.objectTypeId.split('-')[1]
  return {
    id,
    createdAt: opts.createdAt,
    updatedAt: opts.createdAt,
    archived: false,
    labels: {singular: 'Division', plural: 'Divisions'},
    requiredProperties: ['division_name'],
    searchableProperties: ['division_name', 'division_code'],
    primaryDisplayProperty: 'division_name',
    secondaryDisplayProperties: ['division_code', 'region'],
    allowsSensitiveProperties: false,
    objectTypeId: opts.objectTypeId,
    fullyQualifiedName: `p${opts.portalId}_divisions`,
    name: 'divisions',
    metaType: 'PORTAL_SPECIFIC',
    portalId: opts.portalId,
    properties: opts.properties.map((p) => ({...p, archived: false, createdAt: opts.createdAt, updatedAt: opts.createdAt, formField: !p.calculated, displayOrder: -1})),
    associations: opts.associatedTypeIds.map((a) => ({
      id: a.id,
      fromObjectTypeId: opts.objectTypeId,
      toObjectTypeId: a.toObjectTypeId,
      name: a.name,
      createdAt: opts.createdAt,
      updatedAt: opts.createdAt,
    })),
  }
}
