/**
 * A minimal Redis client (RESP2 over one TCP connection, pipelined, replies in order) for the
 * Redis-backed rate budget. Only what the budget needs: commands in, parsed replies out.
 */
import {type Socket, createConnection} from 'node:net'

export type RespValue = string | number | null | RespValue[]

export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RedisReplyError'
  }
}

export class RespClient {
  private readonly socket: Socket
  private buffer: Buffer = Buffer.alloc(0)
  private readonly pending: Array<{resolve: (v: RespValue) => void; reject: (e: Error) => void}> = []
  private failed: Error | null = null
  private readonly ready: Promise<void>

  /** Connects to redis://host:port (db 0; no auth). */
  constructor(url = 'redis://127.0.0.1:6379') {
    const u = new URL(url)
    this.socket = createConnection({host: u.hostname || '127.0.0.1', port: Number(u.port || 6379)})
    this.socket.setNoDelay(true)
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve())
      this.socket.once('error', reject)
    })
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('error', (err) => this.fail(err))
    this.socket.on('close', () => this.fail(new Error('redis connection closed')))
    // a failure before the first command must not be an unhandled rejection
    this.ready.catch(() => undefined)
  }

  async command(...args: Array<string | number>): Promise<RespValue> {
    await this.ready
    if (this.failed) throw this.failed
    let out = `*${args.length}\r\n`
    for (const a of args) {
      const s = String(a)
      out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`
    }
    return new Promise<RespValue>((resolve, reject) => {
      this.pending.push({resolve, reject})
      this.socket.write(out)
    })
  }

  close(): void {
    this.socket.end()
  }

  private fail(err: Error): void {
    if (!this.failed) this.failed = err
    for (const p of this.pending.splice(0)) p.reject(err)
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk
    for (;;) {
      const parsed = parse(this.buffer, 0)
      if (!parsed) return
      this.buffer = this.buffer.subarray(parsed.end)
      const p = this.pending.shift()
      if (!p) continue
      if (parsed.value instanceof RedisReplyError) p.reject(parsed.value)
      else p.resolve(parsed.value)
    }
  }
}

/** Parses one reply at `pos`; null when the buffer does not hold all of it yet. */
function parse(buf: Buffer, pos: number): {value: RespValue | RedisReplyError; end: number} | null {
  const eol = buf.indexOf('\r\n', pos)
  if (eol < 0) return null
  const type = String.fromCharCode(buf[pos])
  const line = buf.toString('utf8', pos + 1, eol)
  switch (type) {
    case '+':
      return {value: line, end: eol + 2}
    case '-':
      return {value: new RedisReplyError(line), end: eol + 2}
    case ':':
      return {value: Number(line), end: eol + 2}
    case '$': {
      const len = Number(line)
      if (len < 0) return {value: null, end: eol + 2}
      if (buf.length < eol + 2 + len + 2) return null
      return {value: buf.toString('utf8', eol + 2, eol + 2 + len), end: eol + 2 + len + 2}
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return {value: null, end: eol + 2}
      const items: RespValue[] = []
      let err: RedisReplyError | null = null
      let p = eol + 2
      for (let i = 0; i < n; i++) {
        const r = parse(buf, p)
        if (!r) return null
        if (r.value instanceof RedisReplyError) err ??= r.value
        else items.push(r.value)
        p = r.end
      }
      return {value: err ?? items, end: p}
    }
    default:
      throw new Error(`unexpected redis reply type ${JSON.stringify(type)}`)
  }
}
