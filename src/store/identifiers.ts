/**
 * SQL identifiers built from untrusted names (entity names, portal property names).
 * Every identifier is sanitized to [a-z0-9_] AND double-quoted when it reaches SQL.
 */

const MAX_NAME = 60

/** Lower-case `name` and replace every character outside [a-z0-9_] with `_` (never empty). */
export function sanitizeName(name: string): string {
  const s = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, MAX_NAME)
  return s.length > 0 ? s : '_'
}

/** Quote an identifier for SQLite (doubling embedded quotes), whatever it contains. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** The table holding an entity's records: `obj_<sanitized entity>`. */
export function tableNameFor(entity: string): string {
  return `obj_${sanitizeName(entity)}`
}

/**
 * Pick a column name for `property` that is not in `taken`: `p_<sanitized>`, then `p_<sanitized>_2`,
 * `_3`... Deterministic for a given `taken` set and call order.
 */
export function columnNameFor(property: string, taken: ReadonlySet<string>): string {
  const base = `p_${sanitizeName(property)}`
  if (!taken.has(base)) return base
  for (let i = 2; ; i++) {
    const candidate = `${base}_${i}`
    if (!taken.has(candidate)) return candidate
  }
}
