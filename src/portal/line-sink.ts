/**
 * Buffered NDJSON file output with optional gzip that honours stream backpressure: lines are
 * joined into ~256 KB chunks, and `write` waits for 'drain' when the stream asks for it.
 */
import {createWriteStream, type WriteStream} from 'node:fs'
import {once} from 'node:events'
import {finished} from 'node:stream/promises'
import {createGzip, type Gzip} from 'node:zlib'

const CHUNK_CHARS = 256 * 1024

export class LineSink {
  private parts: string[] = []
  private chars = 0
  private readonly file: WriteStream
  private readonly head: WriteStream | Gzip
  private error: Error | undefined

  constructor(readonly path: string, gzip: boolean) {
    this.file = createWriteStream(path)
    this.file.on('error', (e) => (this.error ??= e))
    if (gzip) {
      const gz = createGzip()
      gz.on('error', (e) => (this.error ??= e))
      gz.pipe(this.file)
      this.head = gz
    } else {
      this.head = this.file
    }
  }

  /** Appends one line (a newline is added). Resolves once the data may be handed over. */
  async writeLine(line: string): Promise<void> {
    if (this.error) throw this.error
    this.parts.push(line, '\n')
    this.chars += line.length + 1
    if (this.chars >= CHUNK_CHARS) await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return
    const chunk = this.parts.join('')
    this.parts = []
    this.chars = 0
    if (!this.head.write(chunk)) await once(this.head, 'drain')
    if (this.error) throw this.error
  }

  /** Flushes everything and closes the file. */
  async close(): Promise<void> {
    await this.flush()
    this.head.end()
    await finished(this.file)
    if (this.error) throw this.error
  }

  /** Closes without caring about the content (used by abort). */
  async destroy(): Promise<void> {
    this.parts = []
    this.head.destroy()
    this.file.destroy()
    await new Promise<void>((resolve) => (this.file.closed ? resolve() : this.file.once('close', () => resolve())))
  }
}
