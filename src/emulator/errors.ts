/** HubSpot-shaped error bodies and JSON responses. */
import {randomUUID} from 'node:crypto'

export type ErrorCategory = 'VALIDATION_ERROR' | 'OBJECT_NOT_FOUND' | 'INVALID_AUTHENTICATION' | 'MISSING_SCOPES' | 'RATE_LIMITS' | 'URI_TOO_LONG' | 'INTERNAL_ERROR'

/** Thrown by handlers; the pipeline turns it into `{status:"error", message, correlationId, category}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly category: ErrorCategory = 'VALIDATION_ERROR',
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

export function correlationId(): string {
  return randomUUID()
}

/** A JSON response; `body` may be pre-serialised text. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return new Response(text, {status, headers: {'content-type': 'application/json;charset=utf-8', ...headers}})
}

export function errorResponse(err: ApiError): Response {
  return json(err.status, {status: 'error', message: err.message, correlationId: correlationId(), category: err.category, ...err.extra})
}
