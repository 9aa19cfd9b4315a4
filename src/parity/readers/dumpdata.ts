/**
 * Django `dumpdata` snapshots: one JSON array (`--format json`) or one object per line
 * (`--format jsonl`), either optionally gzip-compressed (detected by the magic bytes 1f 8b).
 */
import {createReadStream} from 'node:fs'
import {open} from 'node:fs/promises'
import {StringDecoder} from 'node:string_decoder'
import {createGunzip} from 'node:zlib'
import {UsageError} from '../../core/errors.js'
import {quoteBigInts} from './big-ints.js'
import {describeValue, keyText} from './key-text.js'
import {JsonArrayError, splitJsonArray} from './json-array-splitter.js'
import {LineTooLongError, maxLineChars, splitLines} from './lines.js'
import type {LegacyRecord, LegacySource} from './types.js'

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const b = Buffer.alloc(2)
    const {bytesRead} = await fh.read(b, 0, 2, 0)
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b
  } finally {
    await fh.close()
  }
}

async function* textChunks(path: string, gzip: boolean): AsyncGenerator<string> {
  const file = createReadStream(path, {highWaterMark: 1 << 18})
  const stream = gzip ? file.pipe(createGunzip()) : file
  file.on('error', (e) => stream.destroy(e))
  const dec = new StringDecoder('utf8')
  try {
    for await (const buf of stream) yield dec.write(buf as Buffer)
  } catch (e) {
    throw new UsageError(`cannot read legacy snapshot ${path}: ${(e as Error).message}`, gzip ? 'the gzip data is corrupt or truncated; re-export it' : 'check the path and permissions')
  }
  const tail = dec.end()
  if (tail) yield tail
}

/** Which form a dumpdata file has: the first non-blank character decides ("[" array, "{" lines). */
async function detectForm(path: string, gzip: boolean): Promise<'array' | 'lines'> {
  for await (const chunk of textChunks(path, gzip)) {
    const m = /\S/.exec(chunk)
    if (!m) continue
    if (m[0] === '[') return 'array'
    if (m[0] === '{') return 'lines'
    throw new UsageError(`legacy snapshot ${path} is neither a dumpdata JSON array nor JSONL (it starts with "${m[0]}")`, 'export it with `python manage.py dumpdata crm --format json` (or jsonl)')
  }
  throw new UsageError(`legacy snapshot ${path} is empty`, 'export it with `python manage.py dumpdata crm --format json`')
}

/** Check one parsed element is `{model, pk, fields}` and turn it into a LegacyRecord. */
export function toLegacyRecord(x: unknown, where: string): LegacyRecord {
  const o = x as {model?: unknown; pk?: unknown; fields?: unknown}
  if (!o || typeof o !== 'object' || typeof o.model !== 'string' || o.pk === undefined || o.pk === null || !o.fields || typeof o.fields !== 'object' || Array.isArray(o.fields)) {
    throw new UsageError(`${where} is not a dumpdata record {"model", "pk", "fields"}`, 'export the snapshot with `python manage.py dumpdata crm` (natural keys off)')
  }
  const pk = keyText(o.pk)
  if (pk === undefined)
    throw new UsageError(`${where} has a pk that is neither a string nor an integer (${describeValue(o.pk)})`, 'export the snapshot with `python manage.py dumpdata crm` (natural keys off)')
  return {model: o.model, pk, fields: o.fields as Record<string, unknown>}
}

/** Open a dumpdata JSON / JSONL file (gzip or not) as a LegacySource. */
export function dumpdataSource(path: string): LegacySource {
  return {
    describe: path,
    async *batches() {
      const gzip = await isGzip(path)
      const form = await detectForm(path, gzip)
      let n = 0
      const max = maxLineChars()
      const tooLong = (e: LineTooLongError, what: string): UsageError =>
        new UsageError(
          `legacy snapshot ${path}: ${what} ${e.no} is longer than ${e.max} characters (${Math.round(e.max / 1048576)} MiB), the most crmsync reads as one record`,
          'check that the file is a dumpdata export (one record per element or line); if records really are that large, raise the limit with CRMSYNC_MAX_LINE_MB',
          'RECORD_TOO_LONG',
        )
      if (form === 'array') {
        try {
          for await (const texts of splitJsonArray(textChunks(path, gzip), max)) {
            yield texts.map((t) => {
              n++
              return toLegacyRecord(parseElement(t, `${path}: record #${n}`), `${path}: record #${n}`)
            })
          }
        } catch (e) {
          if (e instanceof LineTooLongError) throw tooLong(e, 'record')
          if (e instanceof JsonArrayError)
            throw new UsageError(`legacy snapshot ${path} is not valid JSON: ${e.message}`, 'the file is malformed or truncated; re-export it with `python manage.py dumpdata crm --format json`')
          throw e
        }
      } else {
        try {
          for await (const lines of splitLines(textChunks(path, gzip), max)) {
            yield lines.map(({line, no}) => toLegacyRecord(parseElement(line, `${path}: line ${no}`), `${path}: line ${no}`))
          }
        } catch (e) {
          if (e instanceof LineTooLongError) throw tooLong(e, 'line')
          throw e
        }
      }
    },
  }
}

function parseElement(text: string, where: string): unknown {
  try {
    return JSON.parse(quoteBigInts(text))
  } catch (e) {
    throw new UsageError(`${where} is not valid JSON: ${(e as Error).message}`, 'the file is malformed or truncated; re-export it with `python manage.py dumpdata crm`')
  }
}
