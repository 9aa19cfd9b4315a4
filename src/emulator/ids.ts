/** Record ids are digit strings that can exceed 2^53: order them by length, then text. */

export function isId(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9]{1,30}$/.test(s) && (s === '0' || !s.startsWith('0'))
}

/** -1, 0 or 1 comparing two id strings as integers. */
export function compareIdStrings(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** id + 1 without losing precision. */
export function nextId(id: string): string {
  return (BigInt(id) + 1n).toString()
}
