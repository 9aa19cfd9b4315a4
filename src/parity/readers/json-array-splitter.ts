/**
 * A small streaming tokenizer for one top-level JSON array of objects (Django `dumpdata`): it cuts
 * the text into one string per element without building the whole array, so a multi-gigabyte
 * snapshot is read with memory bounded by one chunk plus one element.
 */
import {LineTooLongError} from './lines.js'

/** Thrown when the text is not one JSON array of objects; `offset` is the character position. */
export class JsonArrayError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at character ${offset}`)
  }
}

const WS = new Set([32, 9, 10, 13, 0xfeff])

/** Split a stream of text chunks into batches of element texts (one batch per chunk); an element longer than `max` characters throws LineTooLongError. */
export async function* splitJsonArray(chunks: AsyncIterable<string>, max = Infinity): AsyncGenerator<string[]> {
  let state = 0 // 0 before '[', 1 expecting element or ']', 2 in element, 3 expecting ',' or ']', 4 after ']'
  let depth = 0
  let inStr = false
  let esc = false
  let parts: string[] = []
  let partsLen = 0
  let elements = 0
  let offset = 0
  for await (const chunk of chunks) {
    const out: string[] = []
    let start = state === 2 ? 0 : -1
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i)
      if (state === 2) {
        if (inStr) {
          if (esc) esc = false
          else if (c === 92) esc = true
          else if (c === 34) inStr = false
        } else if (c === 34) inStr = true
        else if (c === 123 || c === 91) depth++
        else if (c === 125 || c === 93) {
          depth--
          if (depth === 0) {
            elements++
            if (partsLen + i + 1 - start > max) throw new LineTooLongError(elements, max)
            partsLen = 0
            parts.push(chunk.slice(start, i + 1))
            out.push(parts.length === 1 ? parts[0] : parts.join(''))
            parts = []
            state = 3
          }
        }
        continue
      }
      if (WS.has(c)) continue
      if (state === 0) {
        if (c !== 91) throw new JsonArrayError('expected "[" (the start of a dumpdata JSON array)', offset + i)
        state = 1
      } else if (state === 1) {
        if (c === 93) state = 4
        else if (c === 123) {
          state = 2
          depth = 1
          start = i
        } else throw new JsonArrayError(`expected an object "{...}" but found "${chunk[i]}"`, offset + i)
      } else if (state === 3) {
        if (c === 44) state = 1
        else if (c === 93) state = 4
        else throw new JsonArrayError(`expected "," or "]" after an element but found "${chunk[i]}"`, offset + i)
      } else throw new JsonArrayError(`unexpected "${chunk[i]}" after the end of the array`, offset + i)
    }
    if (state === 2) {
      partsLen += chunk.length - start
      if (partsLen > max) throw new LineTooLongError(elements + 1, max)
      parts.push(chunk.slice(start))
    }
    offset += chunk.length
    if (out.length > 0) yield out
  }
  if (state !== 4) throw new JsonArrayError(state === 0 ? 'the file is empty, expected a JSON array' : 'the JSON array is not closed (truncated file?)', offset)
}
