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
  /** `counter`, when given, gets the same increments as `stats` (a stream's own figures) */
  request<T>(req: ApiRequest, signal?: AbortSignal, counter?: RequestStats): Promise<ApiResponse<T>>
  readonly stats: RequestStats
  /** epoch ms until which requests are held by the rate limit (a full window, a pause after a 429), or null: for progress displays */
  rateWait?(): number | null
  /** release what the client holds (a shared budget's Redis connection) */
  close?(): Promise<void>
}

export function emptyStats(): RequestStats {
  return {requests: 0, retries: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0}
}

/**
 * A view of `parent` (same transport, budget and retries) whose `stats` count only the requests
 * made through it (they count in the parent's stats too): streams that run concurrently each
 * report their own requests, 429s and retries.
 */
export function streamClient(parent: ApiClient): ApiClient {
  const stats = emptyStats()
  return {stats, request: <T>(req: ApiRequest, signal?: AbortSignal) => parent.request<T>(req, signal, stats)}
}
