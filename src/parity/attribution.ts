/**
 * Three-way attribution: with the source portal snapshot as the referee, decide which side of a
 * difference is wrong. A record modified at the source after the legacy snapshot was taken blames
 * nobody (`changed_at_source`).
 */
import type {Attribution} from '../reports/report-types.js'
import {parseInstant, type Value} from './normalizers.js'

/** The source side of one record as the differ sees it. */
export interface SourceFacts {
  present: boolean
  archived: boolean
  /** the record changed at the source after the legacy snapshot */
  changedAfterSnapshot: boolean
  createdAfterSnapshot: boolean
  archivedAfterSnapshot: boolean
}

/** Source facts for a record: `modifiedAt` / `createdAt` / `archivedAt` against the legacy snapshot time. */
export function sourceFacts(row: {archived: boolean; modifiedAt: string | null; createdAt: string | null; archivedAt: string | null} | undefined, snapshotAtMs: number): SourceFacts {
  if (!row) return {present: false, archived: false, changedAfterSnapshot: false, createdAfterSnapshot: false, archivedAfterSnapshot: false}
  const after = (s: string | null): boolean => !Number.isNaN(snapshotAtMs) && s !== null && parseInstant(s) > snapshotAtMs
  return {
    present: true,
    archived: row.archived,
    changedAfterSnapshot: after(row.modifiedAt),
    createdAfterSnapshot: after(row.createdAt),
    archivedAfterSnapshot: row.archived && after(row.archivedAt ?? row.modifiedAt),
  }
}

/** A field difference: who equals the normalized source value. */
export function attributeField(hasSource: boolean, src: SourceFacts, legacyEqSource: boolean, newEqSource: boolean): Attribution {
  if (!hasSource || !src.present) return 'unattributed'
  if (src.changedAfterSnapshot) return 'changed_at_source'
  if (newEqSource && !legacyEqSource) return 'legacy_defect'
  if (legacyEqSource && !newEqSource) return 'new_regression'
  if (!legacyEqSource && !newEqSource) return 'both_wrong'
  return 'unattributed'
}

/** A record the legacy side has and the new side lacks. */
export function attributeMissingInNew(hasSource: boolean, src: SourceFacts): Attribution {
  if (!hasSource) return 'unattributed'
  if (!src.present) return 'legacy_defect' // the source has no such record either
  if (src.archived) return src.archivedAfterSnapshot ? 'changed_at_source' : 'legacy_defect'
  return 'new_regression'
}

/** A record the new side has and the legacy side lacks. */
export function attributeMissingInLegacy(hasSource: boolean, src: SourceFacts, newArchived: boolean): Attribution {
  if (!hasSource) return 'unattributed'
  if (!src.present) return 'new_regression'
  if (src.archived) return newArchived ? 'unattributed' : 'new_regression'
  return src.createdAfterSnapshot ? 'changed_at_source' : 'legacy_defect'
}

/** A relation edge present on one side only; `inSource` = the source has the edge. */
export function attributeEdge(hasSource: boolean, src: SourceFacts, kind: 'missing' | 'extra', inSource: boolean): Attribution {
  if (!hasSource || !src.present) return 'unattributed'
  if (src.changedAfterSnapshot) return 'changed_at_source'
  // missing: the new side has the edge, legacy does not; extra: legacy has it, new does not
  if (kind === 'missing') return inSource ? 'legacy_defect' : 'new_regression'
  return inSource ? 'new_regression' : 'legacy_defect'
}

/** Compare HubSpot ids as big integers (shorter digit string first), falling back to text order. */
export function compareIdText(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

/** Value equality used for attribution (normalized strings). */
export const same = (a: Value, b: Value): boolean => a === b
