/**
 * Exact big integers in dumpdata JSON. A Django `BigIntegerField` (`hubspot_id`, a pk, an FK or an
 * m2m list of pks) is dumped as a bare JSON number, and JSON.parse rounds any integer past 2^53
 * (9037199254741831 becomes …832). Before parsing, every bare integer of 16 or more digits outside a
 * string is quoted, so it reaches the differ as the exact decimal text. One pass over one element's
 * text (the readers hand over one record at a time), and none at all when no 16 digits occur.
 */

/** Digits from which a JSON integer may not be exact as a double (2^53 has 16 digits). */
const MIN_DIGITS = 16

/** `text` with every bare integer of 16+ digits (outside strings) turned into a JSON string. */
export function quoteBigInts(text: string): string {
  if (!/\d{16}/.test(text)) return text
  let out = ''
  let from = 0
  let inStr = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inStr) {
      if (c === 92)
        i++ // skip the escaped character
      else if (c === 34) inStr = false
      continue
    }
    if (c === 34) {
      inStr = true
      continue
    }
    const neg = c === 45 // '-'
    if (!neg && (c < 48 || c > 57)) continue
    let j = neg ? i + 1 : i
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++
    const digits = j - (neg ? i + 1 : i)
    const next = text.charCodeAt(j)
    // a fraction or an exponent is a float: JSON.parse gives what the value means; leave it
    if (digits >= MIN_DIGITS && next !== 46 && next !== 101 && next !== 69) {
      out += `${text.slice(from, i)}"${text.slice(i, j)}"`
      from = j
    }
    i = j - 1
  }
  return from === 0 ? text : out + text.slice(from)
}
