/** Record ids are digit strings that can exceed 2^53 (order them with compareIds from src/portal/snapshot-format.ts). */

export function isId(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9]{1,30}$/.test(s) && (s === '0' || !s.startsWith('0'))
}

/** id + 1 without losing precision. */
export function nextId(id: string): string {
  return (BigInt(id) + 1n).toString()
}
