/** Serves msw handlers on a real node:http listener on 127.0.0.1. */
import {randomUUID} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {getResponse, type RequestHandler} from 'msw'
import {HUBSPOT_LIMITS} from './hubspot-limits.js'

/** One served request, for `serve --log` (never headers: the Authorization header stays out). */
export interface RequestLogEntry {
  method: string
  path: string
  status: number
  ms: number
}

/** A request the listener answers itself (bad request target, body too large) before any handler runs. */
class EarlyAnswer extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly category: string,
  ) {
    super(message)
  }
}

/** Query parameters that may carry a credential (legacy `hapikey`, OAuth `access_token`): their values never reach the log. */
const SECRET_PARAMS = /([?&](?:hapikey|access_token|token|code|client_secret)=)[^&]*/gi

/** The request target as logged: path and query, credential-like parameter values redacted, at most 2,000 characters. */
export function loggedPath(target: string): string {
  const s = target.replace(SECRET_PARAMS, '$1[redacted]')
  return s.length > 2000 ? `${s.slice(0, 2000)}…` : s
}

/** The port is taken: the caller turns this into an operator message naming `--port 0`. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use.`)
  }
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const target = req.url ?? '/'
  // absolute-form (`GET http://host/path`) and asterisk-form (`OPTIONS *`) targets: HubSpot answers 400
  if (!target.startsWith('/')) throw new EarlyAnswer(400, `Invalid request target: only origin-form paths such as /crm/v3/objects/contacts are accepted.`, 'VALIDATION_ERROR')
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > HUBSPOT_LIMITS.maxBodyBytes) throw new EarlyAnswer(413, `Request body too large: ${declared} bytes; at most ${HUBSPOT_LIMITS.maxBodyBytes} are accepted.`, 'VALIDATION_ERROR')
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
    let size = 0
    for await (const c of req) {
      size += (c as Buffer).length
      // chunked bodies have no content-length: stop buffering at the cap
      if (size > HUBSPOT_LIMITS.maxBodyBytes)
        throw new EarlyAnswer(413, `Request body too large: more than ${HUBSPOT_LIMITS.maxBodyBytes} bytes; at most ${HUBSPOT_LIMITS.maxBodyBytes} are accepted.`, 'VALIDATION_ERROR')
      chunks.push(c as Buffer)
    }
    body = Buffer.concat(chunks)
  }
  let url: URL
  try {
    url = new URL(origin + target)
  } catch {
    throw new EarlyAnswer(400, 'Invalid request target: the path is not a valid URL path.', 'VALIDATION_ERROR')
  }
  return new Request(url, {method, headers, body: body ? (new Uint8Array(body) as unknown as ArrayBuffer) : undefined})
}

function writeEarly(res: ServerResponse, err: EarlyAnswer): void {
  const text = JSON.stringify({status: 'error', message: err.message, correlationId: randomUUID(), category: err.category})
  res.writeHead(err.status, {'content-type': 'application/json;charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close'})
  res.end(text)
}

async function respond(handlers: RequestHandler[], origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let request: Request
  try {
    request = await toRequest(req, origin)
  } catch (err) {
    if (!(err instanceof EarlyAnswer)) throw err
    writeEarly(res, err)
    return
  }
  let response: Response | undefined
  try {
    response = await getResponse(handlers, request)
  } catch (err) {
    // a malformed percent-encoding in the path (msw decodes path parameters): HubSpot answers 400
    if (!(err instanceof URIError)) throw err
    writeEarly(res, new EarlyAnswer(400, 'Invalid request target: the path has a malformed percent-encoding.', 'VALIDATION_ERROR'))
    return
  }
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

/** Listens on 127.0.0.1:`port` (0 picks a free one). Rejects with PortInUseError when taken. `onRequest` sees every answered request. */
export function listen(handlers: RequestHandler[], port: number, onRequest?: (entry: RequestLogEntry) => void): Promise<Listener> {
  let origin = ''
  const server = createServer((req, res) => {
    if (onRequest) {
      const t0 = performance.now()
      res.once('finish', () => onRequest({method: req.method ?? 'GET', path: loggedPath(req.url ?? '/'), status: res.statusCode, ms: Math.round((performance.now() - t0) * 10) / 10}))
    }
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
