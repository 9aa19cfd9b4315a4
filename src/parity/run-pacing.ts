/**
 * The rate limits both sides of a `parity run` meet, so that a timing comparison is fair or says
 * loudly why it is not. The emulator enforces one limit on every client (HubSpot's 190/10 s tier
 * when none is configured, advertised in the X-HubSpot-RateLimit-* headers of every non-search
 * answer); the legacy sync meets that limit (crmsync cannot know whether it also paces itself);
 * crmsync paces itself by its `--rate-limit` (from the run's syncArgs or CRMSYNC_RATE_LIMIT), or,
 * without one, by the limit the emulator advertises, or by its 100/10 s default when the emulator
 * advertises none.
 */
import {parseRateSpec, type RateLimitSpec} from '../core/rate-spec.js'
import type {ParityReport} from '../reports/report-types.js'
import type {RunEmulatorOptions} from './run-config.js'

/** The emulator's own default tier (src/emulator/hubspot-limits.ts DEFAULT_RATE_TIER), as a rate string. */
export const EMULATOR_DEFAULT_RATE = '190/10s'
/** crmsync's assumption when the API advertises no limit (docs/sync.md `--rate-limit`). */
export const CRMSYNC_DEFAULT_RATE = '100/10s'

export type RunPacing = NonNullable<NonNullable<ParityReport['performance']>['pacing']>

function show(r: RateLimitSpec | null): string {
  if (!r || r.unlimited) return 'none'
  return r.intervalMs % 1000 === 0 ? `${r.max}/${r.intervalMs === 1000 ? '' : r.intervalMs / 1000}s` : `${r.max}/${r.intervalMs}ms`
}

function sameRate(a: RateLimitSpec | null, b: RateLimitSpec | null): boolean {
  const off = (r: RateLimitSpec | null) => !r || r.unlimited
  if (off(a) || off(b)) return off(a) && off(b)
  return a!.max * b!.intervalMs === b!.max * a!.intervalMs
}

/** The `--rate-limit` value among `crmsync sync all`'s extra arguments, if any. */
function rateFlag(syncArgs: string[]): string | undefined {
  let found: string | undefined
  syncArgs.forEach((a, i) => {
    if (a === '--rate-limit' && i + 1 < syncArgs.length) found = syncArgs[i + 1]
    else if (a.startsWith('--rate-limit=')) found = a.slice('--rate-limit='.length)
  })
  return found
}

/** What each side of the run is paced by, and a warning when crmsync's pacing differs from the limit the legacy sync meets. */
export function runPacing(emulator: RunEmulatorOptions, syncArgs: string[], env: NodeJS.ProcessEnv, legacySync: boolean): RunPacing {
  const enforced = parseRateSpec(emulator.rateLimit ?? EMULATOR_DEFAULT_RATE, 'emulator.rateLimit')
  const emuLimited = !enforced.unlimited
  const explicit = rateFlag(syncArgs) ?? (env.CRMSYNC_RATE_LIMIT?.trim() ? env.CRMSYNC_RATE_LIMIT : undefined)
  const own = explicit !== undefined ? parseRateSpec(explicit) : emuLimited ? enforced : parseRateSpec(CRMSYNC_DEFAULT_RATE)
  const source =
    explicit !== undefined
      ? rateFlag(syncArgs) !== undefined
        ? '--rate-limit in syncArgs'
        : 'CRMSYNC_RATE_LIMIT'
      : emuLimited
        ? "adopted from the emulator's rate-limit headers"
        : 'its default: the emulator advertises no limit'
  const pacing: RunPacing = {
    emulator: `${show(enforced)}${emulator.rateLimit === undefined ? " (HubSpot Professional tier, the emulator's default)" : ''}, enforced and advertised`,
    search: emulator.searchRate ? show(parseRateSpec(emulator.searchRate, 'emulator.searchRate')) : 'none',
    crmsync: `${show(own)} (${source})`,
    legacy: legacySync ? `${show(enforced)} (enforced by the emulator; its own pacing is not known)` : 'no legacy sync command',
    same: sameRate(own, enforced),
  }
  if (!pacing.same && legacySync) {
    pacing.warning =
      `the two sides ran under different pacing: crmsync paced itself at ${pacing.crmsync}, the legacy sync met ${show(enforced)} from the emulator; the timings do not compare like for like. ` +
      (explicit !== undefined
        ? `Remove --rate-limit (syncArgs or CRMSYNC_RATE_LIMIT) so crmsync adopts the emulator's limit, or set emulator.rateLimit to ${show(own)}.`
        : `Set emulator.rateLimit to the portal's tier (e.g. ${EMULATOR_DEFAULT_RATE}) so both sides meet it, or pass --rate-limit none in syncArgs to let crmsync fire freely too.`)
  }
  return pacing
}
