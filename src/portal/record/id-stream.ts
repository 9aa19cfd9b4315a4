/** Streams record ids (or whole lines) back out of the recorder's work files, in id order. */
import {createReadStream, existsSync} from 'node:fs'
import {createInterface} from 'node:readline'
import {compareIds} from '../../core/ids.js'

/** Non-empty lines of a file, streamed; nothing when the file does not exist. */
export async function* readLines(path: string): AsyncGenerator<string> {
  if (!existsSync(path)) return
  const rl = createInterface({input: createReadStream(path, 'utf8'), crlfDelay: Infinity})
  for await (const line of rl) if (line.length > 0) yield line
}

/** The id of a work-file record line (lines are written with "id" first). */
export function lineId(line: string): string {
  const m = /^\{"id":"(\d+)"/.exec(line)
  if (m) return m[1]
  return String((JSON.parse(line) as {id: string}).id)
}

/**
 * Merges two id-ordered line streams into one; when both hold the same id (a record archived
 * while it was being recorded) the line from `b` wins.
 */
export async function* mergeById(a: AsyncIterable<string>, b: AsyncIterable<string>): AsyncGenerator<{id: string; line: string}> {
  const ia = a[Symbol.asyncIterator]()
  const ib = b[Symbol.asyncIterator]()
  let ra = await ia.next()
  let rb = await ib.next()
  while (!ra.done || !rb.done) {
    if (rb.done || (!ra.done && compareIds(lineId(ra.value), lineId(rb.value)) < 0)) {
      yield {id: lineId(ra.value as string), line: ra.value as string}
      ra = await ia.next()
    } else if (ra.done || compareIds(lineId(ra.value), lineId(rb.value)) > 0) {
      yield {id: lineId(rb.value), line: rb.value}
      rb = await ib.next()
    } else {
      yield {id: lineId(rb.value), line: rb.value}
      ra = await ia.next()
      rb = await ib.next()
    }
  }
}
