/**
 * Spool a store's id list to a temporary file, then read it back in chunks: the store's cursor is
 * closed before any write happens (SQLite cannot write on a connection mid-iteration) and memory
 * stays bounded however many ids there are.
 */
import {closeSync, createReadStream, mkdirSync, openSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

/**
 * Write every id to a temp file. A synchronous source (a store cursor) is drained without yielding
 * to the event loop, so the cursor never stays open across an await; an async source (search
 * pages) is written as it arrives.
 */
export async function spoolIds(ids: Iterable<string> | AsyncIterable<string>, tmpDir: string): Promise<{path: string; count: number}> {
  mkdirSync(tmpDir, {recursive: true})
  const path = join(tmpDir, `crmsync-ids-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`)
  const fd = openSync(path, 'w')
  let count = 0
  let buf = ''
  const add = (id: string): void => {
    buf += id + '\n'
    count++
    if (buf.length > 1 << 16) {
      writeSync(fd, buf)
      buf = ''
    }
  }
  try {
    if (Symbol.iterator in Object(ids)) for (const id of ids as Iterable<string>) add(id)
    else for await (const id of ids as AsyncIterable<string>) add(id)
    if (buf) writeSync(fd, buf)
  } finally {
    closeSync(fd)
  }
  return {path, count}
}

/**
 * Read a spooled id file in chunks of `size`, starting after `afterId` when it is found (else from
 * the start). With `compare` (the file's id order), every id up to `afterId` is skipped whether or
 * not `afterId` itself is still in the file.
 */
export async function* chunkedIds(path: string, size: number, afterId: string | null, compare?: (a: string, b: string) => number): AsyncGenerator<string[]> {
  if (afterId !== null && !compare && !(await contains(path, afterId))) afterId = null
  let skipping = afterId !== null
  let chunk: string[] = []
  const rl = createInterface({input: createReadStream(path), crlfDelay: Infinity})
  try {
    for await (const line of rl) {
      if (!line) continue
      if (skipping) {
        if (compare ? compare(line, afterId!) > 0 : line === afterId) skipping = false
        if (!compare || skipping) continue
      }
      chunk.push(line)
      if (chunk.length >= size) {
        yield chunk
        chunk = []
      }
    }
    if (chunk.length > 0) yield chunk
  } finally {
    rl.close()
  }
}

async function contains(path: string, id: string): Promise<boolean> {
  const rl = createInterface({input: createReadStream(path), crlfDelay: Infinity})
  try {
    for await (const line of rl) if (line === id) return true
    return false
  } finally {
    rl.close()
  }
}

export function removeSpool(path: string): void {
  rmSync(path, {force: true})
}
