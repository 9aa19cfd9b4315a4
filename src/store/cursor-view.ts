/**
 * A stored checkpoint as an operator reads it: an instant, an id and a phase, whatever stream
 * wrote it. Checkpoints are the streams' own JSON; this reads the fields they share (the object
 * checkpoint of src/core/checkpoint.ts, an association checkpoint's mode and last id) leniently.
 */

export interface CursorView {
  /** epoch ms: the high-water mark (finished) or the search position (in progress) */
  at: number | null
  id: string | null
  phase: string | null
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/** Read `cp` (any JSON a stream saved) into an instant, an id and a phase. */
export function cursorView(cp: unknown): CursorView {
  if (!cp || typeof cp !== 'object' || Array.isArray(cp)) return {at: null, id: null, phase: null}
  const c = cp as Record<string, unknown>
  const key = c.key && typeof c.key === 'object' ? (c.key as Record<string, unknown>) : null
  const phase = str(c.phase) ?? str(c.mode)
  const inSearch = phase === 'search' && key !== null
  return {
    at: inSearch ? num(key.ts) : num(c.cursorTs),
    id: (inSearch ? str(key.id) : null) ?? str(c.after) ?? str(c.lastId),
    phase,
  }
}

/** `2026-03-01 12:00:03Z` (second precision), or null. */
export function formatInstant(ms: number | null): string | null {
  if (ms === null) return null
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? null : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`
}
