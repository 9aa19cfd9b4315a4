/** Legacy key values (pk, HubSpot id, FK and many-to-many targets) as exact text, and what a wrong-typed one is. */

/**
 * The text of a legacy key, pk or FK value: a string, or an integer (exact: big ones arrive quoted,
 * see big-ints.ts; SQLite's arrive as bigint). undefined for anything else (an object, a list, a
 * boolean, 1e21 or 1.5), which must count as a row error rather than become "[object Object]".
 */
export function keyText(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v)
  return undefined
}

/** A short, safe description of a wrong-typed value for an error message. */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list'
  if (v === null) return 'null'
  if (typeof v === 'object') return 'an object'
  if (typeof v === 'number') return `the number ${v}`
  return `a ${typeof v}`
}
