import {writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {parseFaults, SpecError, type InProcessEmulator} from '../../src/emulator/index.js'
import {call, emulator, fakeClock} from './emulator-fixture.js'

let emu: InProcessEmulator | undefined
afterEach(() => emu?.close())

const list = (e: InProcessEmulator) => call(e, 'GET', '/crm/v3/objects/contacts?limit=1')

async function statuses(e: InProcessEmulator, n: number, req = list): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await req(e)).status)
  return out
}

describe('fault spec grammar', () => {
  it('parses every clause', () => {
    const cfg = parseFaults(
      '429-burst:every=50,count=3,retry-after=off,policy=secondly;5xx:rate=0.02,status=503;reset:every=100;slow:ms=2000,every=40;malformed:every=77,on=list+search;index-lag:seconds=5;mutations:auto,every=10;seed=9',
    )
    expect(cfg.triggers.map((t) => t.name)).toEqual(['429-burst', '5xx', 'reset', 'slow', 'malformed'])
    expect(cfg.indexLagMs).toBe(5000)
    expect(cfg.mutations).toEqual({autoEvery: 10})
    expect(cfg.seed).toBe(9)
  })

  it.each([
    ['nonsense', /unknown fault "nonsense"/],
    ['5xx:rate=2', /probability/],
    ['reset:every=0', /positive integer/],
    ['slow:color=red', /unknown key "color"/],
    ['429-burst:policy=hourly', /ten_secondly, secondly or daily/],
    ['malformed:on=nowhere', /unknown endpoint kind/],
    ['mutations:', /file=PATH or auto/],
  ])('rejects %s with a message naming the problem', (spec, msg) => {
    expect(() => parseFaults(spec)).toThrow(SpecError)
    expect(() => parseFaults(spec)).toThrow(msg)
  })
})

describe('fault switches', () => {
  it('429 bursts: every N requests, count in a row, chosen policy, with Retry-After', async () => {
    emu = await emulator({faults: '429-burst:every=3,count=2,policy=secondly,retry-after=2'})
    expect(await statuses(emu, 8)).toEqual([200, 200, 429, 429, 200, 429, 429, 200])
    const r = await (async () => {
      const e = await emulator({faults: '429-burst:every=1,count=1,policy=daily,retry-after=7'})
      const x = await list(e)
      e.close()
      return x
    })()
    expect(r.body).toMatchObject({policyName: 'DAILY', errorType: 'RATE_LIMIT'})
    expect(r.headers.get('retry-after')).toBe('7')
  })

  it('429 bursts without Retry-After', async () => {
    emu = await emulator({faults: '429-burst:every=1,retry-after=off'})
    const r = await list(emu)
    expect(r.status).toBe(429)
    expect(r.body.policyName).toBe('TEN_SECONDLY_ROLLING')
    expect(r.headers.get('retry-after')).toBeNull()
    expect(emu.stats.faults.burst429).toBe(1)
  })

  it('5xx by rate is deterministic for a seed', async () => {
    const run = async (seed: number) => {
      const e = await emulator({faults: '5xx:rate=0.3,status=503', seed})
      const s = await statuses(e, 40)
      e.close()
      return s
    }
    const a = await run(1)
    expect(a).toEqual(await run(1))
    expect(a).not.toEqual(await run(2))
    expect(a.filter((s) => s === 503).length).toBeGreaterThan(3)
    expect(a.every((s) => s === 200 || s === 503)).toBe(true)
  })

  it('connection resets come back as network errors in-process', async () => {
    emu = await emulator({faults: 'reset:every=2'})
    const a = await list(emu)
    const b = await list(emu)
    expect(a.error).toBe(false)
    expect(b.error).toBe(true)
    expect(emu.stats.faults.resets).toBe(1)
  })

  it('slow responses still answer correctly', async () => {
    emu = await emulator({faults: 'slow:ms=20,every=1'})
    expect((await list(emu)).status).toBe(200)
    expect(emu.stats.faults.slow).toBe(1)
  })

  it('malformed JSON bodies, limited to the named endpoints', async () => {
    emu = await emulator({faults: 'malformed:every=1,on=search'})
    const l = await list(emu)
    expect(l.body.results).toHaveLength(1)
    const s = await call(emu, 'POST', '/crm/v3/objects/contacts/search', {limit: 5})
    expect(s.status).toBe(200)
    expect(() => JSON.parse(s.text)).toThrow()
  })

  it('after= and max= bound when a fault fires', async () => {
    emu = await emulator({faults: '5xx:every=1,after=2,max=2'})
    expect(await statuses(emu, 6)).toEqual([200, 200, 502, 502, 200, 200])
  })
})

describe('mutation schedule', () => {
  it('applies a schedule file after N requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-sched-'))
    const file = join(dir, 'm.ndjson')
    writeFileSync(
      file,
      [
        JSON.stringify({afterRequests: 2, kind: 'archive', entity: 'contacts', id: '1'}),
        JSON.stringify({afterRequests: 2, kind: 'update', entity: 'contacts', id: '2', properties: {email: 'new@example.com'}}),
      ].join('\n'),
    )
    emu = await emulator({faults: `mutations:file=${file}`})
    expect((await list(emu)).body.results[0].id).toBe('1')
    expect((await list(emu)).body.results[0].id).toBe('1')
    expect((await list(emu)).body.results[0].id).toBe('2') // third request: 1 was archived
    const two = await call(emu, 'GET', '/crm/v3/objects/contacts/2?properties=email')
    expect(two.body.properties.email).toBe('new@example.com')
    expect(emu.stats.mutations).toBe(2)
  })

  it('applies a schedule entry at a time after start (atSeconds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-sched-'))
    const file = join(dir, 'm.json')
    writeFileSync(file, JSON.stringify([{atSeconds: 30, kind: 'merge', entity: 'contacts', winnerId: '2', loserId: '1'}]))
    const clock = fakeClock()
    emu = await emulator({faults: `mutations:file=${file}`, now: clock.now})
    clock.advance(29_000)
    expect((await list(emu)).body.results[0].id).toBe('1')
    clock.advance(1_000)
    const after = await call(emu, 'GET', '/crm/v3/objects/contacts?limit=1&properties=hs_merged_object_ids')
    expect(after.body.results[0]).toMatchObject({id: '2', properties: {hs_merged_object_ids: '1'}})
  })

  it('rejects an unreadable or invalid schedule file', async () => {
    await expect(emulator({faults: 'mutations:file=/nonexistent/m.json'})).rejects.toThrow(/Cannot read the mutation schedule/)
    const dir = mkdtempSync(join(tmpdir(), 'emu-sched-'))
    writeFileSync(join(dir, 'bad.json'), '[{"kind":"explode"}]')
    await expect(emulator({faults: `mutations:file=${join(dir, 'bad.json')}`})).rejects.toThrow(/"kind" must be one of/)
  })

  it('auto mode mutates deterministically every N requests', async () => {
    const run = async () => {
      const e = await emulator({faults: 'mutations:auto,every=2', seed: 3})
      await statuses(e, 20)
      const all = await call(e, 'GET', '/crm/v3/objects/contacts?limit=100&properties=lastmodifieddate,hs_merged_object_ids')
      const n = e.stats.mutations
      e.close()
      return {n, ids: all.body.results.map((r: {id: string}) => r.id)}
    }
    const a = await run()
    expect(a.n).toBeGreaterThan(3)
    expect(await run()).toEqual(a)
  })
})
