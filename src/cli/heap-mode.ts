/**
 * The sync process's V8 heap, tuned for size (docs/sync.md, Memory). A sync keeps little alive (the
 * live heap after each full collection stayed between 12.8 and 15.6 MB over a whole 1M-contact
 * run, measured with --trace-gc), but with V8's defaults the young generation grows to 2 x 16 MB
 * and the old generation is collected lazily, so the heap held some 55 to 90 MB, mostly garbage,
 * and peak RSS rose with the run's length (154 MB at 50k contacts, about 200 MB at 1M).
 *
 * Two V8 flags, both read while the heap runs (so setting them here, before the run allocates,
 * takes effect without a command-line flag):
 * - `--optimize-for-size` (Heap::ShouldOptimizeForMemoryUsage) collects the old generation sooner;
 * - `--semi-space-growth-factor=1`: the young generation no longer grows (SemiSpaceNewSpace::Grow
 *   multiplies its capacity by this factor), so it keeps the size it has when this runs. bin/run.js
 *   therefore calls it for `sync ...` before oclif loads, when it is at its minimum, 2 x 1 MB
 *   (after the CLI had loaded it was already 2 x 4 MB); with `--optimize-for-size` alone it swung
 *   up to 2 x 8 MB. A command-line `--max-semi-space-size=1` does the same, but only as a node flag.
 */
import v8 from 'node:v8'

let applied = false

/** The V8 flags `preferSmallHeap` sets. */
export const SMALL_HEAP_FLAGS = ['--optimize-for-size', '--semi-space-growth-factor=1'] as const

/**
 * Which heap a sync gets: CRMSYNC_HEAP=small or default, or (unset, `auto`) small unless the run
 * is unpaced (`--rate-limit none`, or CRMSYNC_RATE_LIMIT=none without the flag). The small heap
 * costs CPU (young collections every 1 MB allocated: about a third more CPU seconds unthrottled,
 * docs/sync.md, Memory), which a paced run never misses, as it waits for its rate budget, but an
 * unpaced one pays in wall time: there V8's defaults run about 1.3x faster for about 50 MB more.
 */
export function heapModeFor(argv: readonly string[], env: NodeJS.ProcessEnv): 'small' | 'default' {
  if (env.CRMSYNC_HEAP === 'small' || env.CRMSYNC_HEAP === 'default') return env.CRMSYNC_HEAP
  let rate: string | undefined
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rate-limit') rate = argv[i + 1]
    else if (argv[i].startsWith('--rate-limit=')) rate = argv[i].slice('--rate-limit='.length)
  }
  return (rate ?? env.CRMSYNC_RATE_LIMIT)?.trim().toLowerCase() === 'none' ? 'default' : 'small'
}

/** Prefer a small heap over some GC time, once per process, where heapModeFor says so. */
export function preferSmallHeap(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv.slice(2)): boolean {
  if (applied || heapModeFor(argv, env) === 'default') return applied
  for (const flag of SMALL_HEAP_FLAGS) v8.setFlagsFromString(flag)
  applied = true
  return applied
}
