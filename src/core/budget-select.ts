/** Picks the rate budget for a run: in-process, or shared through Redis when a URL is configured. */
import {createHash} from 'node:crypto'
import {UsageError} from './errors.js'
import {InProcessBudget, type RateBudget} from './budget.js'
import {redactUrl} from './redact-url.js'
import {RedisBudget} from './budget-redis.js'

export interface BudgetChoice {
  /** redis://host:port to share the budget with other processes (flag, or CRMSYNC_REDIS_URL) */
  redisUrl?: string
  /** base URL and token identify the portal (the key is a hash: the token is never stored) */
  baseUrl: string
  accessToken: string
  max?: number
  intervalMs?: number
  /** `--rate-limit none`: no client-side pacing, the search bucket included (in-process only) */
  unlimited?: boolean
}

/** The Redis key every process of one portal derives alike, without revealing the token. */
export function portalBudgetKey(baseUrl: string, accessToken: string): string {
  return createHash('sha256').update(`${baseUrl}\u0000${accessToken}`).digest('hex').slice(0, 24)
}

/** A RedisBudget when `redisUrl` is set (validated: UsageError otherwise), else an InProcessBudget. */
export function selectBudget(c: BudgetChoice): RateBudget & {close?: () => Promise<void>} {
  const start = {...(c.max ? {max: c.max} : {}), ...(c.intervalMs ? {intervalMs: c.intervalMs} : {})}
  if (c.unlimited && c.redisUrl) {
    throw new UsageError('--shared-budget cannot be combined with --rate-limit none', "drop --rate-limit none, or give the portal's budget, e.g. --rate-limit 190/10s", 'BAD_FLAG')
  }
  if (!c.redisUrl) return new InProcessBudget(c.unlimited ? {...start, searchMax: c.max, searchIntervalMs: c.intervalMs} : start)
  let u: URL
  try {
    u = new URL(c.redisUrl)
  } catch {
    throw new UsageError(`"${redactUrl(c.redisUrl)}" is not a Redis URL`, 'use redis://HOST:PORT, e.g. redis://127.0.0.1:6379', 'BAD_FLAG')
  }
  if (u.protocol !== 'redis:' || u.username || u.password || (u.pathname !== '' && u.pathname !== '/')) {
    throw new UsageError(`"${redactUrl(c.redisUrl)}" is not supported`, 'use redis://HOST:PORT without credentials or a database number', 'BAD_FLAG')
  }
  return new RedisBudget({key: portalBudgetKey(c.baseUrl, c.accessToken), url: c.redisUrl, ...start})
}
