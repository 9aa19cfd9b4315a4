/** Pipelining: keep the next page's request in flight while the current page is written. */

/**
 * Yield the items of `source`, asking for item k+1 before handing out item k, so that a synchronous
 * consumer (a SQLite transaction) overlaps with the producer's network wait.
 */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]()
  let pending: Promise<IteratorResult<T>> | null = it.next()
  try {
    while (pending) {
      const r: IteratorResult<T> = await pending
      if (r.done) {
        pending = null
        return
      }
      pending = it.next()
      yield r.value
    }
  } finally {
    if (pending) {
      // the consumer stopped early: let the in-flight request settle quietly, then close the source
      const p = pending
      pending = null
      await p.then(
        () => undefined,
        () => undefined,
      )
      await it.return?.(undefined)
    }
  }
}
