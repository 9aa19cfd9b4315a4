/** The body of `crmsync portal record`: flags in, a recorded snapshot and a summary out. */
import pino from 'pino'
import {CrmsyncError, UsageError} from '../core/errors.js'
import {parseRateSpec, type RateLimitSpec} from '../core/rate-spec.js'
import {HubSpotHttpClient} from '../connectors/hubspot/http-client.js'
import {resolveConnection} from '../connectors/hubspot/config.js'
import {ENTITIES, parseApiVersion, type Entity} from '../connectors/hubspot/objects.js'
import {selectBudget} from '../core/budget-select.js'
import {parseRedactList} from './redact.js'
import {type RecordProgress, type RecordResult, recordPortal} from './recorder.js'
import {workDirFor} from './record/work-state.js'

export interface RecordCommandFlags {
  out: string
  'base-url'?: string
  config?: string
  entities?: string
  redact?: string
  'redact-salt'?: string
  gzip: boolean
  force: boolean
  'portal-id'?: number
  'rate-limit'?: string
  'api-version'?: string
  'shared-budget'?: string
  debug: boolean
}

export interface RecordCommandResult extends RecordResult {
  summary: string
  requests: HubSpotHttpClient['stats']
}

/** Parses `--entities contacts,deals`; UsageError naming the valid names. */
export function parseEntities(spec: string | undefined): Entity[] {
  if (spec === undefined) return [...ENTITIES]
  const names = [
    ...new Set(
      spec
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  const bad = names.filter((n) => !(ENTITIES as readonly string[]).includes(n))
  if (bad.length || names.length === 0) throw new UsageError(`--entities: unknown entity ${bad.join(', ') || '(none given)'}`, `use a comma-separated list of ${ENTITIES.join(',')}`, 'BAD_FLAG')
  return ENTITIES.filter((e) => names.includes(e))
}

/** `--rate-limit` for the starting budget: the grammar every command shares (src/core/rate-spec.ts). */
export function parseRateLimit(spec: string | undefined): RateLimitSpec | undefined {
  return spec === undefined ? undefined : parseRateSpec(spec, '--rate-limit')
}

/** A progress display the caller gives instead of the plain log lines (the CLI's, on stderr). */
export interface RecordDisplay {
  /** given the client's rate-limit wait (epoch ms until which requests are held, or null) */
  watchRateLimit?(rateWait: () => number | null): void
  onProgress(p: RecordProgress): void
  stop(failed: boolean): void
}

export async function runRecordCommand(flags: RecordCommandFlags, log: (line: string) => void, display?: RecordDisplay): Promise<RecordCommandResult> {
  const entities = parseEntities(flags.entities)
  let redact: string[]
  try {
    redact = parseRedactList(flags.redact)
  } catch (err) {
    throw new UsageError(`--redact: ${(err as Error).message}`, 'list property names separated by commas, e.g. --redact email,phone,firstname,lastname', 'BAD_FLAG')
  }
  const conn = resolveConnection({baseUrl: flags['base-url'], config: flags.config})
  const rate = parseRateLimit(flags['rate-limit'])
  const logger = flags.debug ? pino({level: 'debug', base: undefined}, pino.destination(2)) : undefined
  const budget = selectBudget({redisUrl: flags['shared-budget'] ?? (process.env.CRMSYNC_REDIS_URL || undefined), baseUrl: conn.baseUrl, accessToken: conn.accessToken, ...rate})
  const api = new HubSpotHttpClient({baseUrl: conn.baseUrl, accessToken: conn.accessToken, apiVersion: parseApiVersion(flags['api-version']), budget, logger})
  display?.watchRateLimit?.(() => api.rateWait())
  let failed = true
  const logged = new Map<string, number>()
  const ac = new AbortController()
  const onSignal = (): void => ac.abort(new CrmsyncError('recording interrupted', {code: 'INTERRUPTED', suggestion: 'rerun the same command to continue where it stopped'}))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const result = await recordPortal({
      out: flags.out,
      api,
      baseUrl: conn.baseUrl,
      entities,
      redact,
      redactSalt: flags['redact-salt'] ?? (process.env.CRMSYNC_REDACT_SALT || undefined),
      gzip: flags.gzip,
      force: flags.force,
      portalId: flags['portal-id'],
      signal: ac.signal,
      onProgress: (p) => {
        if (display) return display.onProgress(p)
        // one line per step and entity, then one per 10,000 records
        const key = `${p.step} ${p.entity ?? ''}`
        const last = logged.get(key)
        if (last !== undefined && p.count - last < 10_000) return
        logged.set(key, p.count)
        log(`  ${p.step}${p.entity ? ` ${p.entity}` : ''}: ${p.count.toLocaleString('en-US')}`)
      },
    })
    const lines = [
      `Recorded portal ${result.portalId} from ${conn.baseUrl} into ${result.out}${result.resumed ? ' (resumed)' : ''}`,
      ...result.objects.map((o) => `  ${o.name.padEnd(13)} ${String(o.count).padStart(9)} records (${o.archivedCount} archived), ${o.properties} properties`),
      `  associations  ${String(result.associations).padStart(9)} rows, ${result.associationTypes} association types`,
      `  requests      ${String(api.stats.requests).padStart(9)} (${api.stats.retries} retries, ${api.stats.rateLimited} rate-limited)`,
      ...(redact.length ? [`  redacted: ${redact.join(', ')}`] : []),
    ]
    failed = false
    return {...result, requests: {...api.stats}, summary: lines.join('\n')}
  } catch (err) {
    if (ac.signal.aborted && ac.signal.reason instanceof CrmsyncError)
      throw new CrmsyncError(`recording interrupted; progress is kept in ${workDirFor(flags.out)}`, {
        code: 'INTERRUPTED',
        suggestion: 'rerun the same command to continue where it stopped (or pass --force to start over)',
      })
    throw err
  } finally {
    display?.stop(failed)
    await budget.close?.().catch(() => undefined)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
