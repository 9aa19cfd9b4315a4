/**
 * peakRssMb (src/core/peak-rss.ts) is the process's own peak, not its parent's: a child spawned by
 * a parent holding 300 MB reports what the child itself used, where getrusage's maxRSS carries the
 * parent's RSS at the fork over the exec (Linux). Sizes only, never times; the margin is hundreds
 * of MB against a bare `node` of about 40 MB.
 */
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'

const module = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'core', 'peak-rss.js')).href

describe('peakRssMb', () => {
  it.skipIf(process.platform !== 'linux')("reports a spawned child's own peak, not the RSS its parent had at the fork", () => {
    // the parent: a node process that holds 300 MB (touched), then spawns the child
    const child = `import(${JSON.stringify(module)}).then((m) => console.log(JSON.stringify({peak: m.peakRssMb(), maxRss: Math.round(process.resourceUsage().maxRSS / 1024)})))`
    const parent = `
      const {execFileSync} = require('node:child_process')
      const held = Buffer.alloc(300 * 1048576, 1)
      process.stdout.write(execFileSync(process.execPath, ['-e', process.env.PEAK_CHILD]))
      held[0] = 2
    `
    const out = execFileSync(process.execPath, ['-e', parent], {encoding: 'utf8', env: {...process.env, PEAK_CHILD: child}})
    const r = JSON.parse(out.trim()) as {peak: number; maxRss: number}
    expect(r.maxRss).toBeGreaterThan(250) // the inherited figure the old code reported
    expect(r.peak).toBeLessThan(150)
    expect(r.peak).toBeGreaterThan(10)
  })
})
