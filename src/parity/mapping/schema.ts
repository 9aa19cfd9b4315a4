/**
 * The mapping file (docs/mapping-file.md): how a legacy schema lines up with crmsync's entities,
 * which normalizers make equal values compare equal, the known-differences ledger and the verdict
 * thresholds. Validated with zod; every object is strict so that typos are reported.
 */
import {z} from 'zod'

export const RECORD_CLASSES_FOR_RULES = ['modified', 'missing_in_new', 'missing_in_legacy', 'duplicate_key', 'relation'] as const

/** Predicates a ledger rule can use (see docs/mapping-file.md#ledger). */
export const LEDGER_PREDICATES = [
  'legacy-empty-new-null', // legacy "" where new is null
  'legacy-null-new-empty', // legacy null where new is ""
  'legacy-prefix-of-new', // legacy is a cut-off prefix of new
  'new-archived', // record archived (tombstoned) on the new side, absent from legacy
  'source-archived', // record archived in the source portal
  'fk-not-first', // FK holds an associated record but not the first one
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
    fields: z.record(z.string(), fieldSchema).default({}),
    relations: z.record(z.string(), relationSchema).default({}),
    /** legacy fields not compared, each with the reason */
    ignore: z.record(z.string(), z.string().min(1)).default({}),
  })
  .strict()

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case, e.g. legacy-empty-strings'),
    entity: z.string().min(1).default('*'),
    field: z.string().min(1).default('*'),
    class: z.enum(RECORD_CLASSES_FOR_RULES),
    when: z.enum(LEDGER_PREDICATES),
    reason: z.string().min(1),
    owner: z.string().min(1),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  })
  .strict()

const verdictSchema = z
  .object({
    maxNewRegressions: z.number().int().min(0).default(0),
    /** records with an unexplained difference / keys compared, per entity (number = every entity) */
    maxUnexplainedMismatchRate: z.union([z.number().min(0).max(1), z.record(z.string(), z.number().min(0).max(1))]).default(0),
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
    entities: z.record(z.string(), entitySchema),
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
