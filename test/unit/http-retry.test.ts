import {describe, expect, it} from 'vitest'
import {RetryExhaustedError} from '../../src/core/api-errors.js'
import {FakeClock} from '../../src/core/budget-clock.js'
import {TransientError, backoffDelay, isNetworkError, isRetryableStatus, parseRetryAfter, withRetry} from '../../src/core/retry.js'

describe('retry helpers', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0)
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500)
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('draws full-jitter delays within [0, min(max, base*2^n)]', () => {
    const policy = {maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000}
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99)
    expect(backoffDelay(3, policy, () => 0.5)).toBe(400)
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999)
    expect(backoffDelay(2, policy, () => 0)).toBe(0)
  })

  it('retries 429 and 5xx only', () => {
    for (const s of [429, 500, 502, 503, 504]) expect(isRetryableStatus(s)).toBe(true)
    for (const s of [200, 400, 401, 403, 404, 414]) expect(isRetryableStatus(s)).toBe(false)
  })

  it('recognises network failures but never an abort', () => {
    expect(isNetworkError(new TypeError('fetch failed', {cause: Object.assign(new Error('x'), {code: 'ECONNRESET'})}))).toBe(true)
    expect(isNetworkError(new Error('socket hang up'))).toBe(true)
    expect(isNetworkError(Object.assign(new Error('read'), {code: 'ETIMEDOUT'}))).toBe(true)
    expect(isNetworkError(new Error('wrapped', {cause: Object.assign(new Error('inner'), {code: 'UND_ERR_SOCKET'})}))).toBe(true)
    expect(isNetworkError(new DOMException('aborted', 'AbortError'))).toBe(false)
    expect(isNetworkError(new Error('bad input'))).toBe(false)
    expect(isNetworkError('ECONNRESET')).toBe(false)
  })
})

describe('withRetry', () => {
  it('retries transient errors with backoff, honouring retryAfterMs', async () => {
    const clock = new FakeClock(0)
    let n = 0
    const delays: number[] = []
    const result = await withRetry(
      async () => {
        n++
        if (n === 1) throw new TransientError('429', 'rate-limited', 429, 7000)
        if (n === 2) throw new TransientError('boom', 'server', 500)
        return 'ok'
      },
      {clock, random: () => 0.5, policy: {baseDelayMs: 1000}, onRetry: (_e, d) => delays.push(d)},
    )
    expect(result).toBe('ok')
    expect(delays).toEqual([7000, 1000])
    expect(clock.sleeps).toEqual([7000, 1000])
  })

  it('rethrows non-transient errors at once', async () => {
    let n = 0
    const err = new Error('final')
    await expect(
      withRetry(
        async () => {
          n++
          throw err
        },
        {clock: new FakeClock()},
      ),
    ).rejects.toBe(err)
    expect(n).toBe(1)
  })

  it('stops after maxAttempts with RetryExhaustedError naming the last failure', async () => {
    let n = 0
    const e = await withRetry(
      async () => {
        n++
        throw new TransientError(`fail ${n}`, 'network')
      },
      {clock: new FakeClock(), policy: {maxAttempts: 3}},
    ).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(RetryExhaustedError)
    expect(n).toBe(3)
    expect((e as RetryExhaustedError).message).toMatch(/3 attempts.*fail 3/)
    expect((e as RetryExhaustedError).exitCode).toBe(1)
  })

  it('rejects a nonsensical policy', async () => {
    await expect(withRetry(async () => 1, {policy: {maxAttempts: 0}})).rejects.toThrow(/maxAttempts/)
  })
})
