/**
 * The health endpoint and the metrics of service mode on `--listen HOST:PORT`: `GET /healthz`
 * (200 while the last run ended ok or none ended yet, 503 after a failed one, JSON body) and
 * `GET /metrics` (Prometheus text format). Nothing else is served.
 */
import http from 'node:http'
import {UsageError} from './errors.js'
import {renderMetrics, type ServiceMetrics} from './service-metrics.js'

/** Parse `HOST:PORT` (`127.0.0.1:9464`, `[::1]:9464`, `:9464` for 127.0.0.1). */
export function parseListen(spec: string): {host: string; port: number} {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec)
  const port = m ? Number(m[3]) : NaN
  if (!m || port > 65535) throw new UsageError(`--listen "${spec}" is not HOST:PORT`, 'pass e.g. --listen 127.0.0.1:9464 (port 0 picks a free one)', 'BAD_FLAG')
  return {host: m[1] ?? (m[2] || '127.0.0.1'), port}
}

/** Serve /healthz and /metrics; resolves once listening, with the bound port. */
export async function serveHealth(metrics: ServiceMetrics, host: string, port: number): Promise<{port: number; close(): Promise<void>}> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {allow: 'GET, HEAD'}).end()
    } else if (path === '/metrics') {
      res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8'}).end(renderMetrics(metrics))
    } else if (path === '/healthz') {
      const healthy = metrics.consecutiveFailures === 0
      const body = {
        status: healthy ? 'ok' : 'failing',
        running: metrics.running,
        consecutiveFailures: metrics.consecutiveFailures,
        lastSuccessAt: metrics.lastSuccessAt === null ? null : new Date(metrics.lastSuccessAt).toISOString(),
      }
      res.writeHead(healthy ? 200 : 503, {'content-type': 'application/json'}).end(JSON.stringify(body))
    } else {
      res.writeHead(404, {'content-type': 'text/plain'}).end('not found: try /healthz or /metrics\n')
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UsageError(`cannot listen on ${host}:${port}: ${(err as Error).message}`, 'pick another --listen HOST:PORT', 'LISTEN')))
    server.listen(port, host, () => resolve())
  })
  const bound = server.address()
  return {
    port: typeof bound === 'object' && bound ? bound.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
