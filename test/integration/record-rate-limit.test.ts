/**
 * The shared budget against the emulator's real rate limiter on loopback: several concurrent
 * streams (list and search) stay inside the portal's window and never receive a 429. No timing
 * assertions: only the emulator's and the client's 429 counters are checked.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HubSpotHttpClient} from '../../src/connectors/hubspot/http-client.js'
import {PATHS} from '../../src/connectors/hubspot/objects.js'
import {InProcessBudget} from '../../src/core/budget.js'
import {RedisBudget} from '../../src/core/budget-redis.js'
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {DailyLimitError} from '../../src/core/api-errors.js'
import {type RunningEmulator, startEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'

let root: string
let portalDir: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'crmsync-rate-'))
  portalDir = join(root, 'portal')
  await generatePortal({out: portalDir, contacts: 300, deals: 125, appointments: 10, divisions: 2, seed: 9})
})
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('shared budget against the emulator rate limiter', () => {
  let emu: RunningEmulator
  afterAll(async () => emu?.stop())

  it('four list streams and two search streams sharing one budget get no 429 (window learned from headers)', async () => {
    emu = await startEmulator({portalDir, rateLimit: '25/1s', searchRate: '5/s', retryAfter: true})
    // the budget starts at HubSpot's default (100/10 s) and must learn 25/1 s from the first answers;
    // search answers carry no rate-limit headers (as on HubSpot), so the search bucket keeps its
    // default (4/s), below HubSpot's 5/s
    const budget = new InProcessBudget()
    const client = new HubSpotHttpClient({baseUrl: emu.url, accessToken: 'any', budget})
    const list = async (): Promise<void> => {
      let after: string | undefined
      for (let i = 0; i < 12; i++) {
        const r = await client.request<{paging?: {next?: {after?: string}}}>({method: 'GET', path: PATHS.list('contacts'), query: {limit: 10, after}})
        after = r.body.paging?.next?.after
      }
    }
    const search = async (): Promise<void> => {
      for (let i = 0; i < 4; i++)
        await client.request({method: 'POST', path: PATHS.search('deals'), body: {limit: 10, filterGroups: [], sorts: [{propertyName: 'hs_object_id', direction: 'ASCENDING'}]}, bucket: 'search'})
    }
    await Promise.all([list(), list(), list(), list(), search(), search()])
    expect(client.stats.requests).toBe(56)
    expect(client.stats.rateLimited).toBe(0)
    expect(emu.stats.rateLimited).toEqual({TEN_SECONDLY_ROLLING: 0, SECONDLY: 0, DAILY: 0})
    expect(budget.snapshot().default).toMatchObject({max: 25, intervalMs: 1000})
    expect(budget.snapshot().search.max).toBe(5) // HubSpot's 5/s, which the emulator enforces here too
    await emu.stop()
  }, 30_000)

  it('stops at the daily cap with DailyLimitError and a resume time, without hammering the portal', async () => {
    emu = await startEmulator({portalDir, dailyLimit: 3})
    const client = new HubSpotHttpClient({baseUrl: emu.url, accessToken: 'any'})
    const errs: unknown[] = []
    for (let i = 0; i < 5; i++) await client.request({method: 'GET', path: PATHS.list('contacts')}).catch((e: unknown) => errs.push(e))
    expect(errs).toHaveLength(2)
    for (const e of errs) expect(e).toBeInstanceOf(DailyLimitError)
    expect((errs[0] as DailyLimitError).resumeAt).toMatch(/T00:00:00\.000Z$/)
    // the budget learned Daily-Remaining 0 from the third answer: the fourth and fifth calls never left the process
    expect(client.stats.requests).toBe(3)
    expect(client.stats.rateLimited).toBe(0)
  })

  const redisBin = (() => {
    try {
      return execFileSync('sh', ['-c', 'command -v redis-server'], {encoding: 'utf8'}).trim() || null
    } catch {
      return null
    }
  })()

  it.skipIf(!redisBin)(
    'two clients with their own RedisBudget on one key (two processes of one portal) get no 429 together',
    async () => {
      const port = 20_000 + Math.floor(Math.random() * 20_000)
      const redis: ChildProcess = spawn(redisBin!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'})
      emu = await startEmulator({portalDir, rateLimit: '20/1s'})
      const budgets: RedisBudget[] = []
      try {
        await new Promise((r) => setTimeout(r, 300))
        const key = randomBytes(6).toString('hex')
        const make = () => {
          const b = new RedisBudget({key, url: `redis://127.0.0.1:${port}`, max: 20, intervalMs: 1000})
          budgets.push(b)
          return new HubSpotHttpClient({baseUrl: emu.url, accessToken: 'any', budget: b})
        }
        const [c1, c2] = [make(), make()]
        const run = async (c: HubSpotHttpClient): Promise<void> => {
          for (let i = 0; i < 15; i++) await c.request({method: 'GET', path: PATHS.list('contacts'), query: {limit: 5}})
        }
        await Promise.all([run(c1), run(c1), run(c2), run(c2)])
        expect(c1.stats.requests + c2.stats.requests).toBe(60)
        expect(emu.stats.rateLimited.TEN_SECONDLY_ROLLING).toBe(0)
      } finally {
        for (const b of budgets) await b.close()
        redis.kill()
        await emu.stop()
      }
    },
    60_000,
  )
})
