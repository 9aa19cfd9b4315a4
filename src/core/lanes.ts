/**
 * Run work items a few at a time, in order of start. Measured reason (docs/sync.md, Performance):
 * a single object stream keeps one list request in flight (each page's cursor comes from the
 * previous page), so the client idled about a fifth of the time waiting for the server; a second
 * stream fills that gap.
 */

/** How many object streams a sync runs at once. */
export const OBJECT_STREAM_LANES = 2

/**
 * Call `run` for every item, at most `lanes` at a time. After a failure no further item starts;
 * the ones already running finish (their pages are committed either way), then the first error is
 * thrown.
 */
export async function runInLanes<T>(items: readonly T[], lanes: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const failures: unknown[] = []
  const lane = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const item = items[next++]
      try {
        await run(item)
      } catch (err) {
        failures.push(err)
      }
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(lanes, items.length))}, lane))
  if (failures.length > 0) throw failures[0]
}
