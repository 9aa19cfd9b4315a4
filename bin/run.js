#!/usr/bin/env node
// A sync's heap is sized for memory before the CLI loads (src/cli/heap-mode.ts; not for an unpaced
// run, unless CRMSYNC_HEAP=small): loading oclif and the command grows V8's young generation to
// 2 x 4 MB, and the setting keeps the size it finds.
if (/^sync\b/.test(process.argv[2] ?? '')) (await import('../dist/src/cli/heap-mode.js')).preferSmallHeap()

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
