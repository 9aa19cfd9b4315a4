/** Split a stream of text chunks into batches of non-empty lines (JSONL). */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<Array<{line: string; no: number}>> {
  let rest = ''
  let no = 0
  for await (const chunk of chunks) {
    const text = rest + chunk
    const lines = text.split('\n')
    rest = lines.pop() ?? ''
    const out: Array<{line: string; no: number}> = []
    for (const l of lines) {
      no++
      if (l.trim() !== '') out.push({line: l, no})
    }
    if (out.length > 0) yield out
  }
  if (rest.trim() !== '') yield [{line: rest, no: no + 1}]
}
