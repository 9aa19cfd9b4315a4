/** Serves msw handlers on a real node:http listener on 127.0.0.1. */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {getResponse, type RequestHandler} from 'msw'

/** The port is taken: the caller turns this into an operator message naming `--port 0`. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use.`)
  }
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue
    if (Array.isArray(v)) for (const x of v) headers.append(k, x)
    else headers.set(k, v)
  }
  const method = req.method ?? 'GET'
  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    body = Buffer.concat(chunks)
  }
  return new Request(origin + (req.url ?? "/"), {method, headers, body: body ? (new Uint8Array(body) as unknown as ArrayBuffer) : undefined})
}

async function respond(handlers: RequestHandler[], origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await toRequest(req, origin)
  const response = await getResponse(handlers, request)
  if (!response) {
    res.writeHead(404, {'content-type': 'application/json'})
    res.end(JSON.stringify({status: 'error', message: 'Not found', category: 'OBJECT_NOT_FOUND'}))
    return
  }
  if (response.type === 'error') {
    req.socket.destroy()
    return
  }
  const out: Record<string, string> = {}
  response.headers.forEach((v, k) => {
    out[k] = v
  })
  const buf = Buffer.from(await response.arrayBuffer())
  out['content-length'] = String(buf.length)
  res.writeHead(response.status, out)
  res.end(buf)
}

export interface Listener {
  url: string
  port: number
  server: Server
  close(): Promise<void>
}

/** Listens on 127.0.0.1:`port` (0 picks a free one). Rejects with PortInUseError when taken. */
export function listen(handlers: RequestHandler[], port: number): Promise<Listener> {
  let origin = ''
  const server = createServer((req, res) => {
    respond(handlers, origin, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      res.writeHead(500, {'content-type': 'application/json'})
      res.end(JSON.stringify({status: 'error', message: `emulator error: ${(err as Error).message}`, category: 'INTERNAL_ERROR'}))
    })
  })
  server.keepAliveTimeout = 30_000
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err))
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port
      origin = `http://127.0.0.1:${actual}`
      resolve({
        url: origin,
        port: actual,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }),
      })
    })
  })
}
