/**
 * The contract between connectors and the HTTP layer. Implementations own retries (Retry-After,
 * exponential backoff with jitter for 429/5xx/network errors), the shared rate-limit budget, and
 * error mapping. Tokens never appear in errors, logs or stats.
 */

export type Bucket = 'default' | 'search'

export interface ApiRequest {
  method: 'GET' | 'POST'
  /** path from PATHS in connectors/hubspot/objects.ts, without the base URL */
  path: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  /** which rate-limit bucket the request draws from */
  bucket?: Bucket
}

export interface ApiResponse<T> {
  status: number
  headers: Headers
  body: T
}

export interface RequestStats {
  requests: number // HTTP requests sent, retries included
  retries: number
  rateLimited: number // 429 answers received
  serverErrors: number // 5xx answers received
  networkErrors: number // resets, timeouts, malformed bodies
}

export interface ApiClient {
  request<T>(req: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>>
  readonly stats: RequestStats
}
