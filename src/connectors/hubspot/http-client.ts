import {type ApiClient, type ApiRequest, type ApiResponse, type RequestStats, emptyStats} from '../../core/http-types.js'
import {ApiError, DailyLimitError} from '../../core/api-errors.js'
import {type HubSpotErrorBody, mapErrorResponse} from './api-errors.js'
import {type RateBudget, InProcessBudget} from '../../core/budget.js'
import {rateObservation} from './rate-headers.js'
import {type ApiVersion, versionedPath} from './objects.js'
import {type Clock, systemClock} from '../../core/budget-clock.js'
import {nextMidnight} from '../../core/budget-time.js'
import {type RetryPolicy, TransientError, isNetworkError, parseRetryAfter, withRetry} from '../../core/retry.js'

/** The subset of a pino logger the client uses; pass `pino({level: 'debug'})` or any look-alike. */
export interface DebugLogger {
  debug(obj: Record<string, unknown>, msg?: string): void
}

export interface HubSpotHttpClientOptions {
  /** e.g. https://api.hubapi.com or http://127.0.0.1:PORT (no trailing slash needed) */
  baseUrl: string
  accessToken: string
  /** the API version whose paths are requested (PATHS are numeric; `2026-03` maps them to the dated ones); default v3 */
  apiVersion?: ApiVersion
  /** the portal's shared budget; a fresh InProcessBudget when omitted */
  budget?: RateBudget
  retry?: Partial<RetryPolicy>
  logger?: DebugLogger
  /** defaults to global fetch (undici, keep-alive) */
  fetch?: typeof fetch
  clock?: Clock
  random?: () => number
  /** portal time zone for the daily-limit resume time (default UTC) */
  timeZone?: string
  /** per-attempt limit for the whole answer to arrive; a timeout is retried like a network error (default 120 000 ms) */
  timeoutMs?: number
}

/**
 * HubSpot's HTTP API behind the `ApiClient` contract: the shared budget paces every request,
 * transient failures are retried with backoff (Retry-After honoured), and error answers become
 * ApiError / AuthError / ScopeError / DailyLimitError. The token is sent only in the
 * Authorization header and is scrubbed from any text that reaches an error or a log.
 */
export class HubSpotHttpClient implements ApiClient {
  readonly stats: RequestStats = emptyStats()
  readonly budget: RateBudget
  private readonly baseUrl: string
  private readonly fetchFn: typeof fetch
  private readonly clock: Clock
  #token: string
  /** options without the token, so that logging or serialising the client cannot leak it */
  private readonly opts: Omit<HubSpotHttpClientOptions, 'accessToken'>

  constructor(options: HubSpotHttpClientOptions) {
    const {accessToken, ...opts} = options
    if (!accessToken) throw new TypeError('HubSpotHttpClient needs an access token')
    this.#token = accessToken
    this.opts = opts
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.clock = opts.clock ?? systemClock
    this.budget = opts.budget ?? new InProcessBudget({clock: this.clock, timeZone: opts.timeZone})
    this.fetchFn = opts.fetch ?? globalThis.fetch
  }

  /** Until when the budget holds requests (a full window, a pause after a 429), for progress displays. */
  rateWait(): number | null {
    const snap = this.budget.snapshot()
    const until = Math.max(snap.pausedUntil ?? 0, snap.waitingUntil ?? 0)
    return until > this.clock.now() ? until : null
  }

  /** Close the budget's connection when it has one (a shared Redis budget). */
  async close(): Promise<void> {
    await (this.budget as RateBudget & {close?: () => Promise<void>}).close?.()
  }

  /** Build the full URL of a request (exported for tests and for URL-length checks). */
  url(req: Pick<ApiRequest, 'path' | 'query'>): string {
    const u = new URL(this.baseUrl + versionedPath(req.path, this.opts.apiVersion ?? 'v3'))
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }

  async request<T>(req: ApiRequest, signal?: AbortSignal, counter?: RequestStats): Promise<ApiResponse<T>> {
    const url = this.url(req)
    const bucket = req.bucket ?? 'default'
    const count = (k: keyof RequestStats): void => {
      this.stats[k]++
      if (counter) counter[k]++
    }
    return withRetry<ApiResponse<T>>((attempt) => this.attempt<T>(req, url, bucket, attempt, count, signal), {
      policy: this.opts.retry,
      clock: this.clock,
      random: this.opts.random,
      signal,
      onRetry: (err, delayMs) => {
        count('retries')
        // A 429 means the portal's window is full for everyone: hold every stream, not just this one.
        if (err.kind === 'rate-limited') this.budget.pauseUntil(this.clock.now() + delayMs)
        this.opts.logger?.debug({method: req.method, path: req.path, retryInMs: delayMs, reason: this.scrub(err.message)}, 'hubspot retry')
      },
    })
  }

  private async attempt<T>(req: ApiRequest, url: string, bucket: 'default' | 'search', attempt: number, count: (k: keyof RequestStats) => void, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const asked = this.clock.now()
    const permit = await this.budget.acquire(bucket, signal)
    const started = this.clock.now()
    let res: Response
    let text: string
    // one controller per attempt, aborted by the caller's signal or by our own timer, both undone
    // when the attempt ends (AbortSignal.timeout + AbortSignal.any would leave a 2-minute timer and
    // a composite signal behind every request until the garbage collector finds them)
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort(new Error('timeout'))
    }, this.opts.timeoutMs ?? 120_000)
    const onAbort = (): void => controller.abort(signal?.reason)
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
    try {
      count('requests')
      res = await this.fetchFn(url, {
        method: req.method,
        headers: {authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(req.body === undefined ? {} : {'content-type': 'application/json'})},
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
        // never follow a redirect: the Authorization header must only go to the configured host
        redirect: 'manual',
      })
      text = await res.text()
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      if (timedOut) {
        count('networkErrors')
        throw new TransientError(`no complete answer to ${req.method} ${req.path} within ${this.opts.timeoutMs ?? 120_000} ms`, 'network')
      }
      if (isNetworkError(err)) {
        count('networkErrors')
        throw new TransientError(`network error on ${req.method} ${req.path}: ${this.scrub(describe(err))}`, 'network')
      }
      throw err
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      permit.release()
    }
    this.budget.observe(bucket, rateObservation(res.headers, res.status))
    this.opts.logger?.debug({method: req.method, path: req.path, status: res.status, budgetWaitMs: started - asked, durationMs: this.clock.now() - started, attempt}, 'hubspot request')

    if (res.status === 429) {
      count('rateLimited')
      const body = parseJson<HubSpotErrorBody>(this.scrub(text))
      if (body.ok && body.value?.policyName === 'DAILY') {
        throw new DailyLimitError(new Date(nextMidnight(this.clock.now(), this.opts.timeZone ?? 'UTC')).toISOString())
      }
      const policy = body.ok && body.value?.policyName ? ` (${body.value.policyName})` : ''
      throw new TransientError(`HubSpot answered 429${policy} on ${req.method} ${req.path}`, 'rate-limited', 429, parseRetryAfter(res.headers.get('retry-after'), this.clock.now()))
    }
    if (res.status >= 500) {
      count('serverErrors')
      throw new TransientError(`HubSpot answered ${res.status} on ${req.method} ${req.path}`, 'server', res.status, parseRetryAfter(res.headers.get('retry-after'), this.clock.now()))
    }
    if (res.status >= 300 && res.status < 400) {
      throw new ApiError(
        `HubSpot answered ${res.status} (a redirect to ${this.scrub(res.headers.get('location') ?? 'nowhere')}) for ${req.path}; crmsync does not follow redirects`,
        res.status,
        'REDIRECT',
        undefined,
        {
          suggestion: 'check --base-url / HUBSPOT_BASE_URL: it must be the API host itself (https://api.hubapi.com or the emulator URL)',
        },
      )
    }
    if (res.status >= 400) {
      // scrubbed before parsing: an upstream or proxy may echo the token in any field (message,
      // correlationId, the missing-scope list, category), and every one of them can reach a message
      const body = parseJson<HubSpotErrorBody>(this.scrub(text))
      throw mapErrorResponse(res.status, body.ok && body.value && typeof body.value === 'object' ? body.value : undefined, req.path, (s) => this.scrub(s))
    }
    if (res.status === 204 || text === '') return {status: res.status, headers: res.headers, body: undefined as T}
    const parsed = parseJson<T>(req.path.includes('/associations/') ? normalizeAssociationIds(text) : text)
    if (!parsed.ok) {
      count('networkErrors')
      throw new TransientError(`malformed JSON from ${req.method} ${req.path} (${text.length} bytes)`, 'malformed', res.status)
    }
    return {status: res.status, headers: res.headers, body: parsed.value}
  }

  /** Remove the token from any text that might reach a message or log. */
  private scrub(s: string): string {
    const out = s.split(this.#token).join('[redacted]')
    // the token as it appears inside a JSON string, when it holds characters JSON escapes
    const escaped = JSON.stringify(this.#token).slice(1, -1)
    return escaped === this.#token ? out : out.split(escaped).join('[redacted]')
  }
}

function parseJson<T>(text: string): {ok: true; value: T} | {ok: false} {
  try {
    return {ok: true, value: JSON.parse(text) as T}
  } catch {
    return {ok: false}
  }
}

/**
 * Ids in v4 association answers, made cheap and exact for JSON.parse. HubSpot documents them as
 * strings but has sent JSON numbers (`"toObjectId": 123`):
 * - numeric ids of 16+ digits become strings (a number past 2^53 would lose digits);
 * - quoted ids of up to 15 digits become numbers (exact), because V8 internalizes every JSON
 *   string value of up to 10 characters: a run over millions of distinct ids grew V8's string
 *   table by 19 MB of native memory and the old space with the strings (measured with heaptrack).
 * The association reader turns every id back into a string.
 */
export function normalizeAssociationIds(text: string): string {
  const out = text.replace(/("(?:toObjectId|fromObjectId|id)"\s*:\s*)"(0|[1-9]\d{0,14})"/g, '$1$2')
  // the second pass (another copy of a 200 KB answer) only when 16 digits in a row occur at all
  return /\d{16}/.test(out) ? out.replace(/("(?:toObjectId|fromObjectId|id)"\s*:\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"') : out
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const cause = (err as {cause?: unknown}).cause
  return cause instanceof Error ? `${err.message} (${(cause as {code?: string}).code ?? cause.message})` : err.message
}
