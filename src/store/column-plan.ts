/**
 * Which typed columns an entity table needs, the same for both stores (./entity-table.ts,
 * ./postgres/entity-table.ts): each store then runs the DDL of its dialect for the plan.
 */
import type {PropertyDefinition} from '../core/records.js'
import {columnNameFor, tableNameFor} from './identifiers.js'
import {columnTypeFor, type ColumnType} from './typing.js'

/** A property's typed column. */
export interface PropertyColumn {
  property: string
  column: string
  type: ColumnType
}

/** A column to add (a property not mapped yet) or to re-type in place (its type changed). */
export interface ColumnChange extends PropertyColumn {
  kind: 'add' | 'retype'
}

/**
 * The column changes that map every one of `properties` (in name order, so that names and
 * positions do not depend on the API's order) given the `existing` columns: a new property gets a
 * free sanitized column name, a property whose type changed keeps its column. New columns stop at
 * `maxColumns` typed columns in all (first come, first served; the rest stay in the raw JSON).
 */
export function planColumns(existing: ReadonlyMap<string, PropertyColumn>, properties: PropertyDefinition[], maxColumns = Number.POSITIVE_INFINITY): ColumnChange[] {
  const current = new Map(existing) // with the planned changes: a property named twice is planned once
  const taken = new Set([...current.values()].map((c) => c.column))
  const changes: ColumnChange[] = []
  for (const def of [...properties].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const type = columnTypeFor(def.type)
    const have = current.get(def.name)
    if (have && have.type === type) continue
    let change: ColumnChange
    if (have) change = {kind: 'retype', property: def.name, column: have.column, type}
    else if (current.size >= maxColumns) continue
    else {
      change = {kind: 'add', property: def.name, column: columnNameFor(def.name, taken), type}
      taken.add(change.column)
    }
    current.set(def.name, {property: def.name, column: change.column, type})
    changes.push(change)
  }
  return changes
}

/** The table name for a new entity: its sanitized name, or with `_2`, `_3`... when `taken` has it. */
export function freeTableName(entity: string, taken: ReadonlySet<string>): string {
  let table = tableNameFor(entity)
  for (let i = 2; taken.has(table); i++) table = `${tableNameFor(entity)}_${i}`
  return table
}
