/**
 * The mapping file (docs/mapping-file.md): how a legacy schema lines up with crmsync's entities,
 * which normalizers make equal values compare equal, the known-differences ledger and the verdict
 * thresholds. Validated with zod; every object is strict so that typos are reported.
 */
import {z} from 'zod'

/**
 * A record keyed by names from the mapping file (fields, relations, ignores, entities), parsed into a
 * null-prototype object: z.record drops a key named `__proto__` (hiding its differences), and a plain
 * object answers `"constructor" in o` with true.
 */
function names<T extends z.ZodType>(value: T) {
  return z
    .preprocess((x) => (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Map) ? new Map(Object.entries(x)) : x), z.map(z.string(), value, {error: 'expected an object of names'}))
    .transform((m) => {
      const o = Object.create(null) as Record<string, z.output<T>>
      for (const [k, v] of m) o[k] = v
      return o
    })
}

export const RECORD_CLASSES_FOR_RULES = ['modified', 'missing_in_new', 'missing_in_legacy', 'duplicate_key', 'relation'] as const

/** Predicates a ledger rule can use (see docs/mapping-file.md#ledger). */
export const LEDGER_PREDICATES = [
  'legacy-empty-new-null', // legacy "" where new is null
  'legacy-null-new-empty', // legacy null where new is ""
  'legacy-prefix-of-new', // legacy is a cut-off prefix of new
  'new-archived', // record archived (tombstoned) on the new side, absent from legacy
  'source-archived', // record archived in the source portal
  'fk-not-first', // FK holds an associated record but not the first one
  'property-is', // the record's `property` has `value` (null: absent); a `segment` diagnosis suggests it
  'any', // every difference of this entity/field/class
] as const

const fieldSchema = z
  .object({
    property: z.string().min(1),
    normalize: z.array(z.string().min(1)).default([]),
    /** normalizers applied to the legacy side only (after `normalize`) */
    normalizeLegacy: z.array(z.string().min(1)).optional(),
    /** normalizers applied to the new side and the source only (after `normalize`) */
    normalizeNew: z.array(z.string().min(1)).optional(),
  })
  .strict()

const relationSchema = z
  .object({
    kind: z.enum(['fk', 'm2m']),
    /** entity the relation points at */
    target: z.string().min(1),
    /** dumpdata field name (e.g. `division`); table readers use `column` */
    field: z.string().min(1),
    /** table column holding the legacy pk (FK), default `<field>_id` */
    column: z.string().min(1).optional(),
    /** m2m through table, its column for this side and for the target */
    through: z
      .object({table: z.string().min(1), sourceColumn: z.string().min(1), targetColumn: z.string().min(1)})
      .strict()
      .optional(),
    /** FK semantics: `first` = the first associated record (lowest id, the API's order); `any` = any associated one */
    pick: z.enum(['first', 'any']).default('first'),
  })
  .strict()

const entitySchema = z
  .object({
    model: z.string().regex(/^[A-Za-z_][\w]*\.[A-Za-z_]\w*$/, 'must look like app_label.model, e.g. crm.contact'),
    table: z.string().min(1),
    key: z.object({legacy: z.string().min(1), new: z.literal('id').default('id')}).strict(),
    /** source property holding the record's last-modified time (changed-at-source attribution) */
    modifiedProperty: z.string().min(1).optional(),
    fields: names(fieldSchema).prefault({}),
    relations: names(relationSchema).prefault({}),
    /** legacy fields not compared, each with the reason */
    ignore: names(z.string().min(1)).prefault({}),
    /** what `crmsync publish` does with archived (and merged-away) records: delete the row (legacy behaviour 7) or set a soft-delete column */
    archived: z.union([z.literal('delete'), z.object({softDelete: z.string().min(1)}).strict()]).default('delete'),
  })
  .strict()

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case, e.g. legacy-empty-strings'),
    entity: z.string().min(1).default('*'),
    field: z.string().min(1).default('*'),
    class: z.enum(RECORD_CLASSES_FOR_RULES),
    when: z.enum(LEDGER_PREDICATES),
    /** `property-is`: the record property (new side; a legacy column for missing_in_new) and its value (null or "": absent) */
    property: z.string().min(1).optional(),
    value: z.string().nullable().optional(),
    reason: z.string().min(1),
    owner: z.string().min(1),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.when === 'property-is' && r.property === undefined) ctx.addIssue({code: 'custom', path: ['property'], message: 'is required when "when" is property-is (with "value", null for absent)'})
    if (r.when !== 'property-is' && (r.property !== undefined || r.value !== undefined)) ctx.addIssue({code: 'custom', path: ['property'], message: 'only applies when "when" is property-is'})
  })

const verdictSchema = z
  .object({
    maxNewRegressions: z.number().int().min(0).default(0),
    /** records with an unexplained difference / keys compared, per entity (number = every entity) */
    maxUnexplainedMismatchRate: z.union([z.number().min(0).max(1), names(z.number().min(0).max(1))]).default(0),
    maxErrorRate: z.number().min(0).max(1).default(0),
    /** legacy seconds / crmsync seconds must be at least this (only checked when performance is known) */
    minPerformanceRatio: z.number().min(0).optional(),
  })
  .strict()

export const mappingSchema = z
  .object({
    version: z.literal(1),
    description: z.string().optional(),
    legacy: z
      .object({
        /** when the legacy snapshot was taken (ISO); else the max of `syncedAtField` */
        snapshotAt: z.string().datetime({offset: true}).optional(),
        syncedAtField: z.string().min(1).optional(),
        /** models present in the legacy data that are deliberately not compared */
        ignoreModels: z.array(z.string()).default([]),
        /** an unmapped, unignored model is an input error (default: a warning and `unmapped` in the report) */
        strictModels: z.boolean().default(false),
        /** keys in common / keys of the smaller side below which the inputs are refused (entities with more than 20 keys) */
        minOverlap: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .default({ignoreModels: [], strictModels: false, minOverlap: 0.5}),
    entities: names(entitySchema),
    ledger: z.array(ruleSchema).default([]),
    verdict: verdictSchema.default({maxNewRegressions: 0, maxUnexplainedMismatchRate: 0, maxErrorRate: 0}),
    samples: z.number().int().min(0).max(1000).default(20),
  })
  .strict()

export type Mapping = z.infer<typeof mappingSchema>
export type EntityMapping = z.infer<typeof entitySchema>
export type FieldMapping = z.infer<typeof fieldSchema>
export type RelationMapping = z.infer<typeof relationSchema>
export type LedgerRule = z.infer<typeof ruleSchema>
export type VerdictConfig = z.infer<typeof verdictSchema>
