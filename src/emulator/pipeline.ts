/**
 * What happens to every request before and after its endpoint handler: URL length (414), bearer
 * token (401), mutation schedule, rate limits (429 + headers), injected faults, HubSpot error bodies.
 */
import {HUBSPOT_LIMITS as LIMITS} from './hubspot-limits.js'
import type {EmulatorContext} from './context.js'
import {ApiError, correlationId, errorResponse, json} from './errors.js'
import {decideFaults, type FaultConfig} from './faults.js'
import type {EntityInfo} from './object-types.js'
import {rateLimitBody, type RateLimiter} from './rate-limit.js'
import type {MutationSchedule} from './schedule.js'
import type {EndpointKind} from './types.js'

export interface RouteInput {
  url: URL
  params: Record<string, string>
  body: unknown
}

export interface PipelineConfig {
  /** the only accepted token; undefined: any non-empty bearer token */
  token?: string
  deniedScopes: Set<string>
  retryAfter: boolean
  limiter: RateLimiter
  faults: FaultConfig
  schedule?: MutationSchedule
}

const AUTH_MISSING = 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview'
const AUTH_INVALID = 'The access token provided is invalid or has expired. Check the token in HUBSPOT_ACCESS_TOKEN.'

export class Pipeline {
  private served = 0
  constructor(
    readonly ctx: EmulatorContext,
    private readonly cfg: PipelineConfig,
  ) {}

  /** Resolves an object type segment and answers 403 when its scope is denied. */
  entity(segment: string): EntityInfo {
    const e = this.ctx.store.registry.resolve(segment)
    if (this.cfg.deniedScopes.has(e.name)) {
      this.ctx.stats.forbidden++
      const scope = e.objectTypeId.startsWith('2-') ? 'crm.objects.custom.read' : `crm.objects.${e.name}.read`
      throw new ApiError(403, "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.", 'MISSING_SCOPES', {
        errors: [{message: 'One or more of the following scopes are required.', context: {requiredGranularScopes: [scope]}}],
      })
    }
    return e
  }

  private authError(request: Request): ApiError | null {
    const h = request.headers.get('authorization') ?? ''
    const m = /^Bearer\s+(\S.*)$/i.exec(h)
    if (!m) return new ApiError(401, AUTH_MISSING, 'INVALID_AUTHENTICATION')
    if (this.cfg.token !== undefined && m[1].trim() !== this.cfg.token) return new ApiError(401, AUTH_INVALID, 'INVALID_AUTHENTICATION')
    return null
  }

  /** Runs one request through every check, the faults and the handler. A `Response.error()` means: reset the connection. */
  async handle(kind: EndpointKind, request: Request, params: Record<string, string>, run: (input: RouteInput) => Response): Promise<Response> {
    const ctx = this.ctx
    ctx.stats.requests++
    ctx.stats.byEndpoint[kind]++
    const url = new URL(request.url)
    if (url.pathname.length + url.search.length > LIMITS.maxUrlLength) {
      return new Response('<html><head><title>414 Request-URI Too Large</title></head><body><h1>414 Request-URI Too Large</h1></body></html>', {
        status: 414,
        headers: {'content-type': 'text/html'},
      })
    }
    const auth = this.authError(request)
    if (auth) {
      ctx.stats.unauthorized++
      return errorResponse(auth)
    }
    this.served++
    this.cfg.schedule?.tick(this.served)
    const now = ctx.now()
    const isSearch = kind === 'search'
    const limited = this.cfg.limiter.admit(now, isSearch)
    if (limited) return this.tooMany(limited.policy, Math.ceil(limited.retryAfterMs / 1000), now, isSearch)
    const headers = this.cfg.limiter.headers(now, isSearch)
    const f = decideFaults(this.cfg.faults, kind)
    if (f.burst) {
      ctx.stats.faults.burst429++
      return this.tooMany(f.burst.policy, f.burst.retryAfter, now, isSearch, true)
    }
    if (f.reset) {
      ctx.stats.faults.resets++
      return Response.error()
    }
    if (f.slowMs) {
      ctx.stats.faults.slow++
      await new Promise((r) => setTimeout(r, f.slowMs))
    }
    if (f.status5xx) {
      ctx.stats.faults.serverErrors++
      return json(f.status5xx, {status: 'error', message: 'internal error', correlationId: correlationId(), category: 'INTERNAL_ERROR'}, headers)
    }
    let response: Response
    try {
      let body: unknown
      if (request.method === 'POST') {
        if (Number(request.headers.get('content-length') ?? 0) > LIMITS.maxBodyBytes)
          throw new ApiError(413, `Request body too large; at most ${LIMITS.maxBodyBytes} bytes are accepted.`, 'VALIDATION_ERROR')
        const text = await request.text()
        if (text.length > LIMITS.maxBodyBytes) throw new ApiError(413, `Request body too large; at most ${LIMITS.maxBodyBytes} bytes are accepted.`, 'VALIDATION_ERROR')
        try {
          body = text.length > 0 ? JSON.parse(text) : {}
        } catch {
          throw new ApiError(400, 'Invalid input JSON on line 1: the request body is not valid JSON', 'VALIDATION_ERROR')
        }
      }
      response = run({url, params, body})
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      response = errorResponse(err)
    }
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v)
    if (f.malformed && response.ok) {
      ctx.stats.faults.malformed++
      const text = await response.text()
      return new Response(text.slice(0, Math.max(1, Math.floor(text.length / 2))), {status: response.status, headers: response.headers})
    }
    return response
  }

  private tooMany(policy: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY', retryAfterSec: number | null, now: number, isSearch: boolean, fault = false): Response {
    if (!fault) this.ctx.stats.rateLimited[policy]++
    const headers = this.cfg.limiter.headers(now, isSearch)
    if (retryAfterSec !== null && this.cfg.retryAfter) headers['Retry-After'] = String(Math.max(retryAfterSec, 0))
    return json(429, rateLimitBody(policy), headers)
  }
}
