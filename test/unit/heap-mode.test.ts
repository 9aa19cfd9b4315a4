/**
 * preferSmallHeap (src/cli/heap-mode.ts) really changes how V8 sizes the heap of a running
 * process: the same allocation burst leaves a smaller young generation behind than with V8's
 * defaults (CRMSYNC_HEAP=default), and the young generation never grows past the size it had when
 * the setting was made. Each case runs in its own child process, since the setting is
 * process-wide. Compares sizes, never times.
 */
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {heapModeFor} from '../../src/cli/heap-mode.js'

// the built module (npm test builds first; e2e tests run dist/ the same way)
const module = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'heap-mode.js')).href

interface Burst {
  applied: boolean
  /** the young generation when preferSmallHeap returned, and the largest it was during the burst */
  atStartMb: number
  maxMb: number
}

function newSpaceDuringBurst(env: Record<string, string>): Burst {
  const script = `
    const {preferSmallHeap} = await import(${JSON.stringify(module)})
    const v8 = await import('node:v8')
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576
    // a few scavenges first, as the CLI's start-up does: V8 commits the second semispace at the first one
    let junk
    for (let i = 0; i < 3e5; i++) junk = {a: i, b: 'y' + i}
    const applied = preferSmallHeap()
    const atStartMb = newSpace()
    let maxMb = atStartMb
    let keep = []
    for (let i = 0; i < 2e6; i++) {
      keep.push({a: i, b: 'x' + i})
      if (keep.length > 20000) keep = []
      if (i % 5000 === 0) maxMb = Math.max(maxMb, newSpace())
    }
    console.log(JSON.stringify({applied, atStartMb, maxMb: Math.max(maxMb, newSpace())}))
  `
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {env: {...process.env, ...env}, encoding: 'utf8'})
  return JSON.parse(out.trim().split('\n').pop()!) as Burst
}

describe('preferSmallHeap', () => {
  it('keeps the young generation smaller than V8 defaults do, and CRMSYNC_HEAP=default opts out', () => {
    // V8 sizes the young generation by heuristics that a loaded machine can sway, so up to three
    // tries: without the setting the two sizes are always equal (32 MB each on Node 20)
    let small = newSpaceDuringBurst({CRMSYNC_HEAP: 'small'})
    let dflt = newSpaceDuringBurst({CRMSYNC_HEAP: 'default'})
    for (let i = 0; i < 2 && small.maxMb >= dflt.maxMb; i++) {
      small = newSpaceDuringBurst({CRMSYNC_HEAP: 'small'})
      dflt = newSpaceDuringBurst({CRMSYNC_HEAP: 'default'})
    }
    expect(small.applied).toBe(true)
    expect(dflt.applied).toBe(false)
    expect(small.maxMb).toBeLessThan(dflt.maxMb)
    // the defaults let the same burst grow it (with --optimize-for-size alone it reached 16 MB)
    expect(dflt.maxMb).toBeGreaterThan(dflt.atStartMb)
  })

  it('never lets the young generation grow past its size when the setting was made (--semi-space-growth-factor=1)', () => {
    const r = newSpaceDuringBurst({CRMSYNC_HEAP: 'small'})
    expect(r.applied).toBe(true)
    expect(r.maxMb).toBeLessThanOrEqual(r.atStartMb)
  })
})

describe('heapModeFor', () => {
  it('small unless the run is unpaced; CRMSYNC_HEAP=small|default decides; the flag wins over CRMSYNC_RATE_LIMIT', () => {
    expect(heapModeFor(['sync', 'all'], {})).toBe('small')
    expect(heapModeFor(['sync', 'all', '--rate-limit', 'none'], {})).toBe('default')
    expect(heapModeFor(['sync', 'all', '--rate-limit=None'], {})).toBe('default')
    expect(heapModeFor(['sync', 'all'], {CRMSYNC_RATE_LIMIT: 'none'})).toBe('default')
    expect(heapModeFor(['sync', 'all', '--rate-limit', '100/10s'], {CRMSYNC_RATE_LIMIT: 'none'})).toBe('small')
    expect(heapModeFor(['sync', 'all', '--rate-limit', 'none'], {CRMSYNC_HEAP: 'small'})).toBe('small')
    expect(heapModeFor(['sync', 'all'], {CRMSYNC_HEAP: 'default'})).toBe('default')
    expect(heapModeFor(['sync', 'all'], {CRMSYNC_HEAP: 'auto'})).toBe('small')
  })
})
