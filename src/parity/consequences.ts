/**
 * Is a relation difference a consequence of a missing record? An edge the legacy side lacks whose
 * other record legacy does not hold at all (or an edge new lacks whose other record new does not
 * hold) is counted under that missing record's root cause, not as a relation defect.
 */
import type Database from 'better-sqlite3'
import type {Mapping} from './mapping/schema.js'
import {SIDE} from './staging.js'

/** Point lookups: does a side hold a record of an entity at all. */
export class Presence {
  private readonly legacyStmt
  private readonly newStmt
  private readonly models: Map<string, string>

  constructor(db: Database.Database, mapping: Mapping) {
    this.models = new Map(Object.entries(mapping.entities).map(([e, em]) => [e, em.model]))
    this.legacyStmt = db.prepare('SELECT 1 FROM lrow WHERE side = ? AND model = ? AND key = ? LIMIT 1').pluck()
    this.newStmt = db.prepare("SELECT 1 FROM rec WHERE side = 'new' AND entity = ? AND key = ? LIMIT 1").pluck()
  }

  legacyHas(entity: string, key: string): boolean {
    return this.legacyStmt.get(SIDE.legacy, this.models.get(entity), key) !== undefined
  }

  newHas(entity: string, key: string): boolean {
    return this.newStmt.get(entity, key) !== undefined
  }

  /** A missing edge (new has it) whose target legacy lacks, or an extra edge (legacy has it) whose target new lacks. */
  isConsequence(target: string, kind: 'missing' | 'extra', key: string): boolean {
    return kind === 'missing' ? !this.legacyHas(target, key) : !this.newHas(target, key)
  }
}
