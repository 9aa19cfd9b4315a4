/**
 * Split a stream of text chunks into batches of non-empty lines (JSONL), in time linear in the input:
 * a line that spans chunks is kept as a list of pieces and joined once, never re-split. A line longer
 * than `maxLineChars` (default {@link DEFAULT_MAX_LINE_CHARS}, or CRMSYNC_MAX_LINE_MB in MiB) is refused
 * with a LineTooLongError before it is held in memory in full.
 */

/** 64 Mi characters: far above any real dumpdata record, far below V8's 512 Mi string limit. */
export const DEFAULT_MAX_LINE_CHARS = 64 * 1024 * 1024

/** The maximum line (or JSON array element) length: CRMSYNC_MAX_LINE_MB when set, else 64 MiB. */
export function maxLineChars(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.CRMSYNC_MAX_LINE_MB)
  return env.CRMSYNC_MAX_LINE_MB && Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : DEFAULT_MAX_LINE_CHARS
}

/** A line (record) longer than the maximum; `no` is its line number (JSONL) or record number (array). */
export class LineTooLongError extends Error {
  constructor(
    readonly no: number,
    readonly max: number,
  ) {
    super(`record ${no} is longer than ${max} characters`)
  }
}

export async function* splitLines(chunks: AsyncIterable<string>, max = maxLineChars()): AsyncGenerator<Array<{line: string; no: number}>> {
  let pieces: string[] = []
  let pending = 0
  let no = 0
  for await (const chunk of chunks) {
    const out: Array<{line: string; no: number}> = []
    let start = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      no++
      if (pending + nl - start > max) throw new LineTooLongError(no, max)
      const piece = chunk.slice(start, nl)
      const l = pieces.length === 0 ? piece : pieces.join('') + piece
      pieces = []
      pending = 0
      if (l.trim() !== '') out.push({line: l, no})
      start = nl + 1
    }
    if (start < chunk.length) {
      pending += chunk.length - start
      if (pending > max) throw new LineTooLongError(no + 1, max)
      pieces.push(chunk.slice(start))
    }
    if (out.length > 0) yield out
  }
  const rest = pieces.join('')
  if (rest.trim() !== '') yield [{line: rest, no: no + 1}]
}
