/** Timestamp parsing shared by the core: CRM values arrive as ISO 8601 or epoch-millisecond strings. */

/** Epoch ms of an ISO 8601 or epoch-ms string; null when it is neither. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string' || value === '') return null
  if (/^\d{1,16}$/.test(value)) return Number(value)
  const t = Date.parse(value)
  return Number.isNaN(t) ? null : t
}

/** Parse a `--since` value: YYYY-MM-DD (UTC midnight) or an ISO 8601 time; null if invalid. */
export function parseSince(value: string): number | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T00:00:00Z`)
    return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value ? null : t
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null
  const t = Date.parse(value)
  return Number.isNaN(t) ? null : t
}
