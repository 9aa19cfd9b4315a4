/**
 * Regenerates the offline demo's fixtures deterministically (same code, same bytes):
 *   fixtures/demo/portal/               a small generated portal (gzip NDJSON)
 *   fixtures/demo/legacy/dumpdata.json.gz  what the legacy Django sync would hold for it: the
 *                                       documented behaviours plus a few undocumented defects
 *   fixtures/demo/expected.json         the report figures those must produce (for the demo test)
 * Run: `npx tsc -p . && node dist/src/parity/demo-fixtures.js [DIR]` (DIR default fixtures/demo).
 */
import {mkdir, rm} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {openPortal} from '../portal/snapshot.js'
import {generatePortal} from '../portal/generator.js'
import {writeFileAtomic} from '../reports/atomic-write.js'
import {simulateLegacy, type EntityInjections, type SimulationResult} from './legacy-simulator.js'

/** Size and seed of the demo portal: a few hundred records. */
export const DEMO_PORTAL = {contacts: 300, deals: 100, appointments: 60, divisions: 6, seed: 2026} as const

/** When the demo's legacy snapshot was taken: records modified later are "changed at source". */
export const DEMO_SNAPSHOT_AT = '2025-12-01T00:00:00Z'

/**
 * Undocumented legacy defects the demo injects (legacy side only: the new side is crmsync's real
 * sync of the portal through the emulator, so any new regression in the demo is a real one).
 */
export const DEMO_INJECTIONS: Record<string, EntityInjections> = {
  contacts: {legacy: {email: 3, phone: 4, lifecycle_stage: 2}, changedAtSource: {first_name: 2}, missingInLegacy: 2, duplicateKeys: 1},
  deals: {legacy: {amount: 2, stage: 1}, edgesDropped: {contacts: 3}},
  appointments: {legacy: {status: 1}},
}

/** Expected figures written to expected.json. */
export interface DemoExpected {
  snapshotAt: string
  portal: typeof DEMO_PORTAL
  simulation: SimulationResult
}

/** Write the demo fixtures into `dir` (replacing portal/, legacy/ and expected.json). */
export async function generateDemoFixtures(dir: string): Promise<DemoExpected> {
  const portalDir = join(dir, 'portal')
  const legacyDir = join(dir, 'legacy')
  await rm(portalDir, {recursive: true, force: true})
  await rm(legacyDir, {recursive: true, force: true})
  await generatePortal({out: portalDir, ...DEMO_PORTAL, gzip: true})
  await mkdir(legacyDir, {recursive: true})
  const source = await openPortal(portalDir)
  const simulation = await simulateLegacy({
    source,
    legacy: {path: join(legacyDir, 'dumpdata.json.gz'), format: 'json.gz'},
    snapshotAt: DEMO_SNAPSHOT_AT,
    inject: DEMO_INJECTIONS,
    seed: DEMO_PORTAL.seed,
  })
  const expected: DemoExpected = {snapshotAt: DEMO_SNAPSHOT_AT, portal: DEMO_PORTAL, simulation}
  await writeFileAtomic(join(dir, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`)
  return expected
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? 'fixtures/demo')
  generateDemoFixtures(dir).then(
    (e) => console.log(`demo fixtures written to ${dir}: ${e.simulation.legacyRows} legacy rows`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err)
      process.exitCode = 1
    },
  )
}
