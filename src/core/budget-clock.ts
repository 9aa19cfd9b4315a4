/**
 * Time as the HTTP layer sees it. Injected into the budget and the retry loop so that tests can
 * use a fake clock (instant, deterministic sleeps) instead of real timers.
 */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number
  /** resolve after `ms` milliseconds; reject with the signal's reason when it aborts first */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The real clock: Date.now and setTimeout. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        Math.max(0, ms),
      )
      signal?.addEventListener('abort', onAbort, {once: true})
    }),
}

/**
 * A fake clock for tests: `sleep` advances `now` by the requested time and resolves at once,
 * recording every sleep so a test can assert on the delays that were asked for.
 */
export class FakeClock implements Clock {
  readonly sleeps: number[] = []
  constructor(private t = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.t
  }

  advance(ms: number): void {
    this.t += ms
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    this.sleeps.push(ms)
    this.t += Math.max(0, ms)
    await Promise.resolve()
  }
}
