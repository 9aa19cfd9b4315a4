/**
 * The one record-id order of the whole project (snapshots, store, checkpoints, the differ).
 * Ids are opaque text. Shorter ids sort first, equal lengths by UTF-16 code units: for digit
 * strings without leading zeros that is numeric order without parsing (ids can exceed 2^53); for
 * fixed-length ids (an 18-character Salesforce id, a UUID) it is plain text order. Either way it is a
 * total order, which is all keyset paging and the merge-differ need. A connector whose API orders
 * ids otherwise gives its streams their own `compareIds`.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Plain text order (UTF-16 code units), as SQLite's BINARY collation sorts. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The lower of two ids by the order `cmp` (null: none). */
export function lowest(cmp: (a: string, b: string) => number, a: string | null, b: string | null): string | null {
  if (a === null) return b
  if (b === null) return a
  return cmp(a, b) <= 0 ? a : b
}
