/**
 * Injection plan for the legacy simulator: which record gets which deliberate difference, chosen
 * deterministically (seeded) among eligible records, one injection per record, and the exact
 * report counts and attributions each injection must produce.
 */
import type {Attribution} from '../reports/report-types.js'

/** Differences to inject into one entity. Field maps are legacy field → number of records. */
export interface EntityInjections {
  /** legacy value wrong, new right → legacy_defect */
  legacy?: Record<string, number>
  /** new value wrong, legacy right → new_regression */
  new?: Record<string, number>
  /** both wrong (differently) → both_wrong */
  both?: Record<string, number>
  /** legacy stale, the record modified at the source after the legacy snapshot → changed_at_source */
  changedAtSource?: Record<string, number>
  /** legacy value differs between the primary and the baseline snapshot → noise */
  noise?: Record<string, number>
  /** record absent from the store → missing_in_new, new_regression */
  missingInNew?: number
  /** record absent from legacy → missing_in_legacy, legacy_defect */
  missingInLegacy?: number
  /** the legacy table holds the record twice → duplicate_key, legacy_defect */
  duplicateKeys?: number
  /** m2m relation → number of legacy edges dropped (missing edges, legacy_defect) */
  edgesDropped?: Record<string, number>
  /** m2m relation → number of legacy edges added (extra edges, legacy_defect) */
  edgesAdded?: Record<string, number>
}

export type FieldKind = 'legacy' | 'new' | 'both' | 'changedAtSource' | 'noise'
export type Task = {kind: FieldKind; field: string} | {kind: 'missingInNew' | 'missingInLegacy' | 'duplicateKeys'} | {kind: 'edgesDropped' | 'edgesAdded'; field: string}

/** Attribution each field kind must produce. */
export const FIELD_ATTRIBUTION: Record<Exclude<FieldKind, 'noise'>, Attribution> = {legacy: 'legacy_defect', new: 'new_regression', both: 'both_wrong', changedAtSource: 'changed_at_source'}

/** Expand injections into a seeded-shuffled list of tasks. */
export function tasksOf(inj: EntityInjections | undefined, seed: number): Task[] {
  if (!inj) return []
  const t: Task[] = []
  for (const kind of ['legacy', 'new', 'both', 'changedAtSource', 'noise'] as const) for (const [field, n] of Object.entries(inj[kind] ?? {})) for (let i = 0; i < n; i++) t.push({kind, field})
  for (const kind of ['missingInNew', 'missingInLegacy', 'duplicateKeys'] as const) for (let i = 0; i < (inj[kind] ?? 0); i++) t.push({kind})
  for (const kind of ['edgesDropped', 'edgesAdded'] as const) for (const [field, n] of Object.entries(inj[kind] ?? {})) for (let i = 0; i < n; i++) t.push({kind, field})
  let s = seed >>> 0 || 1
  for (let i = t.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    const j = s % (i + 1)
    ;[t[i], t[j]] = [t[j], t[i]]
  }
  return t
}

/** What the planner knows about one record when deciding eligibility. */
export interface Candidate {
  live: boolean
  changedAfterSnapshot: boolean
  isolated: boolean
  /** legacy field → the legacy value is a non-empty string/number */
  nonEmpty: (field: string) => boolean
  /** m2m field → number of targets */
  edges: (field: string) => number
}

/** Can `task` be applied to this record? */
export function eligible(task: Task, c: Candidate): boolean {
  if (!c.live) return false
  if (task.kind === 'changedAtSource') return c.changedAfterSnapshot && c.nonEmpty(task.field)
  if (c.changedAfterSnapshot) return false
  switch (task.kind) {
    case 'missingInNew':
    case 'missingInLegacy':
    case 'duplicateKeys':
      return c.isolated
    case 'edgesDropped':
      return c.edges(task.field) > 0
    case 'edgesAdded':
      return true
    default:
      return c.nonEmpty(task.field)
  }
}

/** Make a value different in a way no normalizer undoes; `salt` gives legacy and new different wrong values. */
export function corrupt(field: string, v: unknown, salt: 'x' | 'y' | 'z'): unknown {
  const k = {x: 1, y: 2, z: 3}[salt]
  if (typeof v === 'boolean') return salt === 'y' ? v : !v
  if (v === null || v === undefined) return `${salt}`
  const s = String(v)
  if (/^-?\d+\.\d{2}$/.test(s) || field === 'amount') return (Number(s) + k).toFixed(2)
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(Date.parse(`${s}T12:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10)
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const out = new Date(Date.parse(s) + k * 86_400_000).toISOString()
    return s.endsWith('.000Z') || !/\.\d{3}Z$/.test(s) ? out.replace(/\.\d{3}Z$/, 'Z') : out
  }
  // a stale deal stage: the record stuck at an earlier stage of the default pipeline
  if (field === 'stage') {
    const early = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled'].filter((e) => e !== s)
    return salt === 'x' ? early[0] : salt === 'z' ? early[1] : early[early.length - 1] // x≠y, x≠z
  }
  return `${salt}${s}`
}
