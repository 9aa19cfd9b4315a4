/** Own-property reads for objects keyed by names from a file or a portal ("constructor", "__proto__" are names too). */

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)

/** `o[k]` when `k` is o's own property, else undefined (never Object.prototype's `constructor` or `toString`). */
export const own = <T>(o: Record<string, T>, k: string): T | undefined => (hasOwn(o, k) ? o[k] : undefined)
