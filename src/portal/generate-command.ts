/** `crmsync portal generate`: runs the generator and shapes a typed, printable result. */
import {resolve} from 'node:path'
import {generatePortal as generate, type GenerateHooks, type GenerateOptions} from './generator.js'

export interface GenerateResult {
  out: string
  portalId: number
  seed: number
  gzip: boolean
  objects: Array<{name: string; objectTypeId: string; count: number; archivedCount: number; properties: number}>
  associations: number
  seconds: number
  /** human-readable summary (also printed without --json) */
  summary: string
}

/**
 * Generates the snapshot and returns counts and timing for the CLI. SIGINT/SIGTERM stop the run
 * cleanly: the temporary folder is removed and nothing is left at --out.
 */
export async function generatePortal(opts: GenerateOptions, hooks: Pick<GenerateHooks, 'onProgress'> = {}): Promise<GenerateResult> {
  const t0 = process.hrtime.bigint()
  const ac = new AbortController()
  const stop = (): void => ac.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let m
  try {
    m = await generate(opts, {onProgress: hooks.onProgress, signal: ac.signal})
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const objects = m.objects.map((o) => ({name: o.name, objectTypeId: o.objectTypeId, count: o.count, archivedCount: o.archivedCount, properties: o.properties.length}))
  const total = objects.reduce((s, o) => s + o.count, 0)
  const lines = [
    `Generated portal ${m.portalId} (seed ${opts.seed}) in ${resolve(opts.out)} in ${seconds.toFixed(2)} s:`,
    ...objects.map(
      (o) =>
        `  ${o.name.padEnd(13)} ${o.objectTypeId.padEnd(10)} ${o.count.toLocaleString('en-US').padStart(12)} records (${o.archivedCount.toLocaleString('en-US')} archived), ${o.properties} properties`,
    ),
    `  ${'associations'.padEnd(24)}${m.associations.count.toLocaleString('en-US').padStart(12)} rows`,
    `  ${Math.round(total / Math.max(seconds, 1e-9)).toLocaleString('en-US')} records/s`,
  ]
  return {out: resolve(opts.out), portalId: m.portalId, seed: opts.seed, gzip: m.gzip, objects, associations: m.associations.count, seconds, summary: lines.join('\n')}
}
