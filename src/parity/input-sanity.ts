/**
 * Input sanity, checked on the staging database before any record is compared: do the two sides
 * describe the same portal (key overlap per entity), does every mapped property exist, does the
 * store hold every mapped entity. A failed check is an input error (exit 2, no report).
 */
import {UsageError} from '../core/errors.js'
import type {StoreReader} from '../core/store-port.js'
import type {ParityReport} from '../reports/report-types.js'
import {didYouMean} from './did-you-mean.js'
import type {Mapping} from './mapping/schema.js'
import {SIDE, type Staging} from './staging.js'

export type Overlap = NonNullable<ParityReport['inputs']['overlap']>[number]

/** Entities whose smaller side has at most this many keys are never refused for low overlap. */
export const MIN_KEYS_FOR_OVERLAP = 20

/** Per entity: distinct keys on each side and in common; overlap = common / keys of the smaller side (1 when a side is empty). */
export function keyOverlap(st: Staging, mapping: Mapping): Overlap[] {
  const lk = st.db.prepare('SELECT count(DISTINCT key) FROM lrow WHERE side = ? AND model = ? AND key IS NOT NULL').pluck()
  const nk = st.db.prepare("SELECT count(DISTINCT key) FROM rec WHERE side = 'new' AND entity = ?").pluck()
  const ck = st.db
    .prepare(
      "SELECT count(*) FROM (SELECT DISTINCT key FROM lrow WHERE side = ? AND model = ? AND key IS NOT NULL) l WHERE EXISTS (SELECT 1 FROM rec n WHERE n.side = 'new' AND n.entity = ? AND n.key = l.key)",
    )
    .pluck()
  return Object.entries(mapping.entities).map(([entity, em]) => {
    const legacyKeys = lk.get(SIDE.legacy, em.model) as number
    const newKeys = nk.get(entity) as number
    const commonKeys = ck.get(SIDE.legacy, em.model, entity) as number
    const smaller = Math.min(legacyKeys, newKeys)
    return {entity, legacyKeys, newKeys, commonKeys, overlap: smaller === 0 ? 1 : commonKeys / smaller}
  })
}

/** Refuse when an entity with more than MIN_KEYS_FOR_OVERLAP keys on both sides shares fewer than `min` of them. */
export function assertOverlap(overlaps: Overlap[], min: number, legacy: string, store: string): void {
  const low = overlaps.filter((o) => Math.min(o.legacyKeys, o.newKeys) > MIN_KEYS_FOR_OVERLAP && o.overlap < min)
  if (low.length === 0) return
  const what = low.map((o) => `${o.entity}: ${o.commonKeys} of ${Math.min(o.legacyKeys, o.newKeys)} keys in common (overlap ${(o.overlap * 100).toFixed(1)}%)`).join('; ')
  throw new UsageError(
    `the legacy snapshot and the crmsync store share too few record keys (${what}; at least ${(min * 100).toFixed(0)}% expected)`,
    `check that --legacy ${legacy} and --db ${store} describe the same portal; if they do, pass --allow-low-overlap (or lower legacy.minOverlap in the mapping)`,
    'LOW_OVERLAP',
  )
}

/** A legacy snapshot with no row of any mapped model is the wrong snapshot (or the wrong mapping). */
export function assertSomethingMapped(rows: number, unmapped: Map<string, number>, legacy: string, mapping: Mapping): void {
  if (rows > 0 || unmapped.size === 0) return
  const models = Object.values(mapping.entities).map((e) => e.model)
  const named = [...unmapped.keys()].slice(0, 5).map((m) => {
    const hint = didYouMean(m, models)
    return `model "${m}"${hint ? ` (did you mean "${hint}"?)` : ''}`
  })
  throw new UsageError(
    `legacy snapshot ${legacy} holds no row of a mapped model; it has ${named.join(', ')}`,
    `map those models under entities.<entity>.model; mapped models: ${models.join(', ')}`,
    'UNKNOWN_MODEL',
  )
}

const RECORD_PROPERTIES = new Set(['createdAt', 'updatedAt', 'id'])

/**
 * Every mapped entity must be in the store, and every mapped property must be known: a column of the
 * store (`property_columns`) or a property of its records or of the portal snapshot (a sample of rows).
 */
export async function assertMappedNamesExist(st: Staging, store: StoreReader, mapping: Mapping, missingEntities: string[]): Promise<void> {
  if (missingEntities.length > 0) {
    throw new UsageError(
      `the crmsync store ${store.location} has no ${missingEntities.join(', ')} table, which the mapping compares`,
      `sync ${missingEntities.join(', ')} into the store first (crmsync sync all), or remove ${missingEntities.map((e) => `entities.${e}`).join(', ')} from the mapping`,
      'UNKNOWN_ENTITY',
    )
  }
  // the store's typed columns (through the read port), plus the keys a sample of staged records carries
  const columns = new Map<string, Set<string>>()
  for (const entity of Object.keys(mapping.entities)) columns.set(entity, new Set((await store.columns(entity)) ?? []))
  const sample = st.db.prepare('SELECT DISTINCT j.key AS k FROM (SELECT props FROM rec WHERE side = ? AND entity = ? LIMIT 1000) r, json_each(r.props) j').pluck()
  const problems: string[] = []
  for (const [entity, em] of Object.entries(mapping.entities)) {
    const known = new Set<string>(columns.get(entity) ?? [])
    for (const side of ['new', 'src']) for (const k of sample.all(side, entity) as string[]) known.add(k)
    if (known.size === 0) continue // an empty entity: nothing to check against
    for (const [field, fm] of Object.entries(em.fields)) {
      if (RECORD_PROPERTIES.has(fm.property) || known.has(fm.property)) continue
      const hint = didYouMean(fm.property, [...known])
      problems.push(`entities.${entity}.fields.${field}.property: "${fm.property}" is not a property of ${entity} in the store or the portal snapshot${hint ? ` (did you mean "${hint}"?)` : ''}`)
    }
  }
  if (problems.length > 0)
    throw new UsageError(
      `the mapping names properties that do not exist:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      'fix the "property" names in the mapping (a typo compares every value with null)',
      'UNKNOWN_PROPERTY',
    )
}
