/**
 * HubSpot's error answers mapped onto the core's API errors: 401 (token), 403 (scopes, named from
 * the body or from the path), everything else with HubSpot's category and correlation id.
 */
import {ApiError} from '../../core/api-errors.js'

/** HubSpot's error body: `{status, message, correlationId, category, errors?, policyName?}`. */
export interface HubSpotErrorBody {
  status?: string
  message?: string
  correlationId?: string
  category?: string
  errorType?: string
  policyName?: string
  errors?: Array<{message?: string; context?: Record<string, unknown>}>
}

/** 401: the token was rejected. */
export class AuthError extends ApiError {
  constructor(correlationId?: string) {
    super('HubSpot answered 401: the access token was rejected', 401, 'INVALID_AUTHENTICATION', correlationId, {
      code: 'AUTH',
      suggestion: 'the access token was rejected: set HUBSPOT_ACCESS_TOKEN to a valid private-app token (or "accessToken" in the config file)',
    })
    this.name = 'AuthError'
  }
}

/** 403: the token lacks a scope. `scopes` names what HubSpot said is missing (or what the path needs). */
export class ScopeError extends ApiError {
  constructor(
    readonly scopes: string[],
    readonly resource: string,
    hubspotMessage: string | undefined,
    correlationId?: string,
  ) {
    const need = scopes.length ? scopes.join(', ') : 'the read scope for this object'
    super(`HubSpot answered 403 for ${resource}: the token is missing a scope (${need})${hubspotMessage ? `: ${hubspotMessage}` : ''}`, 403, 'MISSING_SCOPES', correlationId, {
      code: 'SCOPE',
      suggestion: `In HubSpot open Settings > Integrations > Private Apps > your app > Scopes, add ${need}, save, and use the app's token in HUBSPOT_ACCESS_TOKEN`,
    })
    this.name = 'ScopeError'
  }
}

/** Scopes a read of `path` needs, for a 403 whose body does not name them. */
export function scopesForPath(path: string): string[] {
  if (/schemas/.test(path)) return ['crm.schemas.custom.read']
  const assoc = /\/associations\/([^/]+)\/([^/]+)\//.exec(path)
  const types = assoc ? [assoc[1], assoc[2]] : [/\/(?:objects|properties)\/([^/?]+)/.exec(path)?.[1]]
  const scopes = new Set<string>()
  for (const t of types) {
    if (!t) continue
    const name = ({'0-1': 'contacts', '0-3': 'deals', '0-421': 'appointments'} as Record<string, string>)[t] ?? t
    const prefix = path.includes('/properties/') ? 'crm.schemas' : 'crm.objects'
    scopes.add(/^(2-\d+|p\d+_)/.test(name) || !['contacts', 'deals', 'appointments', 'companies'].includes(name) ? `${prefix}.custom.read` : `${prefix}.${name}.read`)
  }
  return [...scopes]
}

/** Scopes a 403 body names (`errors[].context.requiredGranularScopes` / `requiredScopes`). */
export function scopesFromBody(body: HubSpotErrorBody | undefined): string[] {
  const out = new Set<string>()
  for (const e of body?.errors ?? []) {
    for (const key of ['requiredGranularScopes', 'requiredScopes']) {
      const v = e.context?.[key]
      if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') out.add(s)
    }
  }
  return [...out]
}

/**
 * Map a non-retryable error answer to the right error class. `redact` removes secrets (the token)
 * from any text taken from the response before it goes into a message.
 */
export function mapErrorResponse(status: number, body: HubSpotErrorBody | undefined, path: string, redact: (s: string) => string = (s) => s): ApiError {
  const correlationId = body?.correlationId
  if (status === 401) return new AuthError(correlationId)
  const message = body?.message ? redact(body.message) : undefined
  if (status === 403) {
    const named = scopesFromBody(body)
    return new ScopeError(named.length ? named : scopesForPath(path), path, message, correlationId)
  }
  const text = `HubSpot answered ${status}${body?.category ? ` ${body.category}` : ''} for ${path}: ${message ?? 'no message'}${correlationId ? ` (correlationId ${correlationId})` : ''}`
  const suggestion =
    status === 414
      ? 'the URL is too long: request fewer properties per call'
      : status === 404
        ? 'check that the object type exists in this portal (appointments must be activated; divisions must be a custom object)'
        : undefined
  return new ApiError(text, status, body?.category, correlationId, {suggestion})
}
