import {RetryExhaustedError} from './api-errors.js'
import {type Clock, systemClock} from './budget-clock.js'

/** How hard to retry: attempts include the first try. */
export interface RetryPolicy {
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000}

/**
 * Thrown inside an attempt to say "this failure is transient: try again". `retryAfterMs` (from a
 * Retry-After header) replaces the backoff delay when present.
 */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly kind: 'rate-limited' | 'server' | 'network' | 'malformed',
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

/** Statuses worth another try: 429 and every 5xx. 400/401/403/404/414 and other 4xx are final. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599)
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
])

/**
 * Whether a thrown error is a network failure worth retrying: fetch's `TypeError: fetch failed`
 * (whatever its cause), socket hang up, connection resets and timeouts. Aborts are never retried.
 */
export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err.name === 'AbortError') return false
  const code = (err as {code?: unknown}).code
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  if (err instanceof TypeError && /fetch failed|terminated|network/i.test(err.message)) return true
  if (/socket hang up|ECONNRESET|other side closed|terminated/i.test(err.message)) return true
  const cause = (err as {cause?: unknown}).cause
  return cause !== undefined && cause !== err && isNetworkError(cause)
}

/**
 * Parse a Retry-After header: delay-seconds ("3", "1.5") or an HTTP date. Returns ms from `now`
 * (never negative), or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined
  const v = value.trim()
  if (v === '') return undefined
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000)
  const t = Date.parse(v)
  if (Number.isNaN(t)) return undefined
  return Math.max(0, t - now)
}

/** Full-jitter exponential backoff: a uniform delay in [0, min(max, base·2^retry)]. `retry` counts from 0. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  return Math.floor(random() * cap)
}

export interface RetryOptions {
  policy?: Partial<RetryPolicy>
  clock?: Clock
  random?: () => number
  signal?: AbortSignal
  /** called before each wait with the delay chosen; the HTTP client pauses the shared budget on 429 here */
  onRetry?: (err: TransientError, delayMs: number, attempt: number) => void
}

/**
 * Run `attempt` until it succeeds, a non-transient error is thrown (rethrown as is), or the policy's
 * attempts are used up (RetryExhaustedError). Only `TransientError` is retried: callers classify.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const policy = {...DEFAULT_RETRY, ...opts.policy}
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError(`retry maxAttempts must be an integer ≥ 1, got ${policy.maxAttempts}`)
  const clock = opts.clock ?? systemClock
  for (let n = 1; ; n++) {
    opts.signal?.throwIfAborted()
    try {
      return await attempt(n)
    } catch (err) {
      if (!(err instanceof TransientError)) throw err
      if (n >= policy.maxAttempts) throw new RetryExhaustedError(n, err.message, err.status)
      const delay = err.retryAfterMs ?? backoffDelay(n - 1, policy, opts.random)
      opts.onRetry?.(err, delay, n)
      await clock.sleep(delay, opts.signal)
    }
  }
}
