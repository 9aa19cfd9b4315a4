/**
 * Fault injection, deterministic for a seed. Grammar (docs/emulator.md):
 *
 *   SPEC   := CLAUSE (";" CLAUSE)*
 *   CLAUSE := NAME [":" PARAM ("," PARAM)*]   |   "seed=" N
 *   PARAM  := KEY "=" VALUE | FLAG
 *
 * NAME: 429-burst, 5xx, reset, slow, malformed, index-lag, mutations. Triggers: every=N (the Nth,
 * 2Nth, ... matching request) or rate=P (probability per request); on=list+search limits a clause to
 * endpoint kinds; after=N skips the first N matching requests; max=N caps how often it fires.
 */
import {SpecError, type PolicyName} from './rate-limit.js'
import type {EndpointKind} from './types.js'
import {prng} from '../portal/prng.js'

const KINDS: EndpointKind[] = ['list', 'get', 'search', 'batchRead', 'associations', 'labels', 'schemas', 'properties', 'owners', 'pipelines', 'other']
const POLICIES: Record<string, PolicyName> = {ten_secondly: 'TEN_SECONDLY_ROLLING', ten_secondly_rolling: 'TEN_SECONDLY_ROLLING', secondly: 'SECONDLY', daily: 'DAILY'}

type TriggerName = '429-burst' | '5xx' | 'reset' | 'slow' | 'malformed'

interface TriggerClause {
  name: TriggerName
  every?: number
  rate?: number
  on?: Set<EndpointKind>
  after: number
  max?: number
  count: number
  policy: PolicyName
  /** seconds; null: no Retry-After header */
  retryAfter: number | null
  status: number
  ms: number
  // runtime state
  seen: number
  fired: number
  burstLeft: number
  rng: () => number
}

export interface FaultConfig {
  triggers: TriggerClause[]
  indexLagMs: number
  mutations?: {file?: string; autoEvery?: number}
  seed?: number
}

export interface FaultDecision {
  burst?: {policy: PolicyName; retryAfter: number | null}
  reset?: boolean
  status5xx?: number
  slowMs?: number
  malformed?: boolean
}

function fail(spec: string, what: string): never {
  throw new SpecError(`Invalid --faults "${spec}": ${what}. See docs/emulator.md for the grammar, e.g. "429-burst:every=50,count=3;5xx:rate=0.02;index-lag:seconds=5".`)
}

function posInt(spec: string, key: string, v: string | undefined, allowZero = false): number {
  const n = Number(v)
  if (v === undefined || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) fail(spec, `${key} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${v ?? ''}"`)
  return n
}

/** Parses a fault spec; throws SpecError naming the bad part. `seed` seeds clauses that do not set one. */
export function parseFaults(spec: string | undefined, seed = 1): FaultConfig {
  const cfg: FaultConfig = {triggers: [], indexLagMs: 0}
  if (!spec || spec.trim() === '') return cfg
  const clauses = spec
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
  const seedClause = clauses.find((c) => /^seed[=:]/.test(c))
  if (seedClause) cfg.seed = posInt(spec, 'seed', seedClause.replace(/^seed[=:](n=|value=)?/, ''), true)
  const baseSeed = cfg.seed ?? seed
  clauses.forEach((clause, i) => {
    if (clause === seedClause) return
    const [name, rest = ''] = clause.split(/:(.*)/s)
    const params = new Map<string, string | undefined>()
    for (const p of rest
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0)) {
      const eq = p.indexOf('=')
      params.set(eq === -1 ? p : p.slice(0, eq).trim(), eq === -1 ? undefined : p.slice(eq + 1).trim())
    }
    const allowed = (keys: string[]): void => {
      for (const k of params.keys()) if (!keys.includes(k)) fail(spec, `unknown key "${k}" in "${name}" (allowed: ${keys.join(', ')})`)
    }
    if (name === 'index-lag') {
      allowed(['seconds', 'ms'])
      cfg.indexLagMs = params.has('ms') ? posInt(spec, 'ms', params.get('ms'), true) : posInt(spec, 'seconds', params.get('seconds'), true) * 1000
      return
    }
    if (name === 'mutations') {
      allowed(['file', 'auto', 'every'])
      if (params.has('file')) {
        const file = params.get('file')
        if (!file) fail(spec, 'mutations:file= needs a path')
        cfg.mutations = {file}
      } else if (params.has('auto')) cfg.mutations = {autoEvery: params.has('every') ? posInt(spec, 'every', params.get('every')) : 50}
      else fail(spec, 'mutations needs file=PATH or auto')
      return
    }
    if (!['429-burst', '5xx', 'reset', 'slow', 'malformed'].includes(name)) fail(spec, `unknown fault "${name}" (known: 429-burst, 5xx, reset, slow, malformed, index-lag, mutations, seed)`)
    const common = ['every', 'rate', 'on', 'after', 'max']
    const extra: Record<string, string[]> = {'429-burst': ['count', 'policy', 'retry-after'], '5xx': ['status'], reset: [], slow: ['ms'], malformed: []}
    allowed([...common, ...extra[name]])
    const t: TriggerClause = {
      name: name as TriggerName,
      after: params.has('after') ? posInt(spec, 'after', params.get('after'), true) : 0,
      count: params.has('count') ? posInt(spec, 'count', params.get('count')) : 1,
      policy: 'TEN_SECONDLY_ROLLING',
      retryAfter: 1,
      status: 502,
      ms: params.has('ms') ? posInt(spec, 'ms', params.get('ms'), true) : 2000,
      seen: 0,
      fired: 0,
      burstLeft: 0,
      rng: prng(baseSeed * 1000 + i),
    }
    if (params.has('every')) t.every = posInt(spec, 'every', params.get('every'))
    if (params.has('rate')) {
      const r = Number(params.get('rate'))
      if (!(r >= 0 && r <= 1)) fail(spec, `rate must be a probability between 0 and 1, got "${params.get('rate') ?? ''}"`)
      t.rate = r
    }
    if (t.every === undefined && t.rate === undefined) t.every = 1
    if (params.has('max')) t.max = posInt(spec, 'max', params.get('max'))
    if (params.has('on')) {
      const kinds = (params.get('on') ?? '').split('+')
      for (const k of kinds) if (!KINDS.includes(k as EndpointKind)) fail(spec, `unknown endpoint kind "${k}" in on= (known: ${KINDS.join(', ')})`)
      t.on = new Set(kinds as EndpointKind[])
    }
    if (params.has('policy')) {
      const p = POLICIES[(params.get('policy') ?? '').toLowerCase()]
      if (!p) fail(spec, `policy must be ten_secondly, secondly or daily, got "${params.get('policy') ?? ''}"`)
      t.policy = p
    }
    if (params.has('retry-after')) {
      const v = params.get('retry-after')
      t.retryAfter = v === 'off' ? null : v === 'on' ? 1 : posInt(spec, 'retry-after', v, true)
    }
    if (params.has('status')) {
      const s = posInt(spec, 'status', params.get('status'))
      if (s < 500 || s > 599) fail(spec, `status must be a 5xx code, got ${s}`)
      t.status = s
    }
    cfg.triggers.push(t)
  })
  return cfg
}

function fires(t: TriggerClause): boolean {
  t.seen++
  if (t.seen <= t.after) return false
  if (t.max !== undefined && t.fired >= t.max) return false
  const hit = t.every !== undefined ? (t.seen - t.after) % t.every === 0 : t.rng() < (t.rate ?? 0)
  if (hit) t.fired++
  return hit
}

/** Decides the faults for one request of `kind` (advances every matching clause's counter). */
export function decideFaults(cfg: FaultConfig, kind: EndpointKind): FaultDecision {
  const d: FaultDecision = {}
  for (const t of cfg.triggers) {
    if (t.on && !t.on.has(kind)) continue
    if (t.name === '429-burst') {
      if (t.burstLeft > 0) {
        t.seen++
        t.burstLeft--
        d.burst ??= {policy: t.policy, retryAfter: t.retryAfter}
        continue
      }
      if (fires(t)) {
        t.burstLeft = t.count - 1
        d.burst ??= {policy: t.policy, retryAfter: t.retryAfter}
      }
      continue
    }
    if (!fires(t)) continue
    if (t.name === '5xx') d.status5xx ??= t.status
    else if (t.name === 'reset') d.reset = true
    else if (t.name === 'slow') d.slowMs = Math.max(d.slowMs ?? 0, t.ms)
    else d.malformed = true
  }
  return d
}
