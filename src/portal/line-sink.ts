/**
 * Buffered NDJSON file output with optional gzip that honours stream backpressure: lines are
 * UTF-8 encoded straight into ~1 MB buffers, and `writeLine` waits for 'drain' when the stream
 * asks for it.
 */
import {createWriteStream, type WriteStream} from 'node:fs'
import {once} from 'node:events'
import {finished} from 'node:stream/promises'
import {createGzip, type Gzip} from 'node:zlib'

const CHUNK_BYTES = 1024 * 1024

export class LineSink {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES)
  private used = 0
  private readonly file: WriteStream
  private readonly head: WriteStream | Gzip
  private error: Error | undefined

  constructor(
    readonly path: string,
    gzip: boolean,
  ) {
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

  /**
   * Appends one line (a newline is added). Returns undefined when the line was buffered, or a
   * promise to await when a full buffer was handed to the stream (resolves after 'drain').
   */
  writeLine(line: string): Promise<void> | undefined {
    if (this.error) return Promise.reject(this.error)
    // a UTF-16 code unit never needs more than 3 UTF-8 bytes
    if (this.used + line.length * 3 + 1 > this.buf.length) return this.flushThenWrite(line)
    this.used += this.buf.write(line, this.used, 'utf8')
    this.buf[this.used++] = 10
    return undefined
  }

  private async flushThenWrite(line: string): Promise<void> {
    await this.flush()
    if (line.length * 3 + 1 > this.buf.length) this.buf = Buffer.allocUnsafe(line.length * 3 + 1)
    this.used += this.buf.write(line, this.used, 'utf8')
    this.buf[this.used++] = 10
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return
    const chunk = this.buf.subarray(0, this.used)
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES)
    this.used = 0
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
    this.used = 0
    this.head.destroy()
    this.file.destroy()
    await new Promise<void>((resolve) => (this.file.closed ? resolve() : this.file.once('close', () => resolve())))
  }
}
