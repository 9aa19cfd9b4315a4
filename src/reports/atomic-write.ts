/** Write a file so that readers never see half of it: temp file in the same folder, then rename. */
import {randomBytes} from 'node:crypto'
import {rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/** Write `text` to `file` atomically (temp file beside it + rename); the temp file is removed on failure. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, text, 'utf8')
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, {force: true}).catch(() => undefined)
    throw err
  }
}
