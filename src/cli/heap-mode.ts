/**
 * The sync process's V8 heap, tuned for size (docs/sync.md, Memory). A sync keeps little alive (the
 * live heap after each full collection stayed between 12.8 and 15.6 MB over a whole 1M-contact
 * run, measured with --trace-gc), but with V8's defaults the young generation grows to 2 x 16 MB
 * and the old generation is collected lazily, so the heap held some 55 to 90 MB, mostly garbage,
 * and peak RSS rose with the run's length (154 MB at 50k contacts, about 200 MB at 1M).
 * `--optimize-for-size` makes V8 size both generations for memory: it is read while the heap
 * runs (Heap::ShouldOptimizeForMemoryUsage), so setting it here, before the run allocates, takes
 * effect without a command-line flag.
 */
import v8 from 'node:v8'

let applied = false

/** Prefer a small heap over a little GC time, once per process (CRMSYNC_HEAP=default keeps V8's defaults). */
export function preferSmallHeap(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied || env.CRMSYNC_HEAP === 'default') return applied
  v8.setFlagsFromString('--optimize-for-size')
  applied = true
  return applied
}
