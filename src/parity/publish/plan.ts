/**
 * The publish plan: for every mapped entity its target table, key, columns (fields, foreign keys,
 * soft-delete, synced-at) and many-to-many through tables, in dependency order, checked against the
 * target's real schema before anything is written. Every problem is listed in one exit-2 error.
 */
import {UsageError} from '../../core/errors.js'
import type {FieldComparator} from '../normalizers.js'
import type {LoadedMapping} from '../mapping/load.js'
import {COMPATIBLE, fieldFamily} from './legacy-value.js'
import type {ColumnFamily, ColumnInfo, PublishTarget, TableInfo} from './target.js'

export interface FieldPlan {
  field: string
  property: string
  column: ColumnInfo
  cmp: FieldComparator
}

export interface FkPlan {
  relation: string
  column: ColumnInfo
  target: string
}

export interface M2mPlan {
  relation: string
  target: string
  table: string
  sourceColumn: string
  targetColumn: string
}

export interface TablePlan {
  entity: string
  table: string
  /** column holding the HubSpot id */
  key: string
  /** the table's own primary key */
  pk: string
  fields: FieldPlan[]
  fks: FkPlan[]
  m2m: M2mPlan[]
  softDelete: ColumnInfo | null
  syncedAt: ColumnInfo | null
  /** entities whose edges decide this table's foreign keys and through rows */
  related: string[]
}

/** Entities in dependency order: every relation's target before the entity (FKs and through rows need its keys). */
export function dependencyOrder(lm: LoadedMapping): string[] {
  const entities = lm.mapping.entities
  const done: string[] = []
  const visiting = new Set<string>()
  const visit = (e: string, path: string[]): void => {
    if (done.includes(e)) return
    if (visiting.has(e))
      throw new UsageError(
        `the mapping's relations form a cycle (${[...path, e].join(' → ')}): publish cannot order the tables`,
        'break the cycle: map one side of it as an m2m through table, or drop one relation',
      )
    visiting.add(e)
    for (const r of Object.values(entities[e].relations)) if (r.target !== e) visit(r.target, [...path, e])
    visiting.delete(e)
    done.push(e)
  }
  for (const e of Object.keys(entities)) visit(e, [])
  return done
}

/** Build and check the plan of every mapped entity against the target; throws UsageError (exit 2) listing every problem. */
export async function planPublish(lm: LoadedMapping, target: PublishTarget, storeEntities: string[], needWrite: boolean): Promise<TablePlan[]> {
  const problems: string[] = []
  const tables = new Map<string, TableInfo | null>()
  const info = async (name: string): Promise<TableInfo | null> => {
    if (!tables.has(name)) tables.set(name, await target.table(name))
    return tables.get(name)!
  }
  const column = (t: TableInfo, name: string, need: ColumnFamily[], what: string): ColumnInfo | null => {
    const c = t.columns.get(name)
    if (!c) {
      problems.push(`${t.name} has no column ${name} (${what})`)
      return null
    }
    if (!need.includes(c.family)) {
      problems.push(`${t.name}.${name} is ${c.declared}, which cannot hold ${what} (needs ${need.join(' or ')})`)
      return null
    }
    return c
  }
  const writable = (t: TableInfo): void => {
    if (needWrite && t.missingPrivileges.length > 0) problems.push(`the target user may not ${t.missingPrivileges.join(', ')} on ${t.name}`)
  }
  const plans: TablePlan[] = []
  const syncedAtField = lm.mapping.legacy.syncedAtField
  for (const entity of dependencyOrder(lm)) {
    const em = lm.mapping.entities[entity]
    if (!storeEntities.includes(entity)) problems.push(`the crmsync store has no ${entity} (mapped to ${em.table}): run \`crmsync sync all\` first`)
    const t = await info(em.table)
    if (!t) {
      problems.push(`the target has no table ${em.table} (entities.${entity}.table)`)
      continue
    }
    writable(t)
    column(t, 'id', ['integer'], 'the primary key')
    const key = column(t, em.key.legacy, ['text'], `the HubSpot id (entities.${entity}.key.legacy)`)
    if (key && !t.unique.has(key.name)) problems.push(`${t.name}.${key.name} has no UNIQUE constraint: publish upserts by it (add the constraint Django's unique=True creates)`)
    const fields: FieldPlan[] = []
    for (const [field, fm] of Object.entries(em.fields)) {
      const fam = fieldFamily(fm)
      const c = column(t, field, COMPATIBLE[fam], `${fam} values of ${fm.property} (entities.${entity}.fields.${field})`)
      if (c) fields.push({field, property: fm.property, column: c, cmp: lm.comparators[entity][field].new})
    }
    const fks: FkPlan[] = []
    const m2m: M2mPlan[] = []
    for (const [relation, rm] of Object.entries(em.relations)) {
      if (rm.kind === 'fk') {
        const c = column(t, rm.column ?? `${rm.field}_id`, ['integer'], `the foreign key of relation ${relation}`)
        if (c) fks.push({relation, column: c, target: rm.target})
        continue
      }
      if (!rm.through) {
        problems.push(`entities.${entity}.relations.${relation} is m2m without a through table: publish needs {"through": {"table", "sourceColumn", "targetColumn"}}`)
        continue
      }
      const th = await info(rm.through.table)
      if (!th) {
        problems.push(`the target has no table ${rm.through.table} (through table of ${entity}.${relation})`)
        continue
      }
      writable(th)
      const s = column(th, rm.through.sourceColumn, ['integer'], `the ${entity} side of ${relation}`)
      const d = column(th, rm.through.targetColumn, ['integer'], `the ${rm.target} side of ${relation}`)
      if (s && d) m2m.push({relation, target: rm.target, table: th.name, sourceColumn: s.name, targetColumn: d.name})
    }
    const softDelete = typeof em.archived === 'object' ? column(t, em.archived.softDelete, ['boolean', 'timestamp'], `the soft-delete flag (entities.${entity}.archived.softDelete)`) : null
    const syncedAt = syncedAtField && !(syncedAtField in em.fields) ? (t.columns.get(syncedAtField) ?? null) : null
    plans.push({entity, table: t.name, key: em.key.legacy, pk: 'id', fields, fks, m2m, softDelete, syncedAt, related: [...new Set(Object.values(em.relations).map((r) => r.target))]})
  }
  if (problems.length > 0) {
    throw new UsageError(
      `cannot publish into ${target.describe}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      "fix the target schema or the mapping as named above (crmsync never creates or alters the application's tables); see docs/publish.md",
      'PUBLISH_SCHEMA',
    )
  }
  return plans
}
