/** The emulator on a real node:http listener on 127.0.0.1: same handlers, real sockets. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PortInUseError, startEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {serve} from '../../src/emulator/serve.js'
import {generatePortal} from '../../src/portal/generator.js'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {sampleSource, TOKEN} from '../unit/emulator-fixture.js'

const auth = {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'}
let emu: RunningEmulator

beforeAll(async () => {
  emu = await startEmulator({portal: sampleSource(), token: TOKEN, faults: 'reset:every=3,on=get;malformed:every=1,on=batchRead;5xx:every=1,on=schemas,status=503'})
})
afterAll(() => emu.stop())

describe('loopback listener', () => {
  it('serves list pages with HubSpot headers and bodies', async () => {
    const r = await fetch(`${emu.url}/crm/v3/objects/contacts?limit=2&properties=email`, {headers: auth})
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('application/json')
    const body = (await r.json()) as {results: Array<{id: string; properties: Record<string, string>}>; paging: {next: {after: string}}}
    expect(body.results.map((x) => x.id)).toEqual(['1', '2'])
    expect(body.paging.next.after).toBe('3')
  })

  it('answers 414 for an over-long URL over the wire', async () => {
    const props = Array.from({length: 700}, (_, i) => `property_number_${i}`).join(',')
    const r = await fetch(`${emu.url}/crm/v3/objects/contacts?properties=${props}`, {headers: auth})
    expect(r.status).toBe(414)
  })

  it('resets the connection (a network error, not an HTTP answer)', async () => {
    const get = () => fetch(`${emu.url}/crm/v3/objects/contacts/1`, {headers: auth})
    expect((await get()).status).toBe(200)
    expect((await get()).status).toBe(200)
    await expect(get()).rejects.toThrow()
    expect(emu.stats.faults.resets).toBe(1)
    expect((await get()).status).toBe(200) // the next connection works
  })

  it('sends malformed JSON and 5xx bodies over the wire', async () => {
    const b = await fetch(`${emu.url}/crm/v3/objects/contacts/batch/read`, {method: 'POST', headers: auth, body: JSON.stringify({inputs: [{id: '1'}]})})
    expect(b.status).toBe(200)
    const text = await b.text()
    expect(() => JSON.parse(text)).toThrow()
    const s = await fetch(`${emu.url}/crm/v3/schemas`, {headers: auth})
    expect(s.status).toBe(503)
    expect(await s.json()).toMatchObject({status: 'error', category: 'INTERNAL_ERROR'})
  })

  it('counts requests per endpoint', () => {
    expect(emu.stats.byEndpoint.list).toBeGreaterThanOrEqual(2)
    expect(emu.stats.byEndpoint.get).toBe(4)
    expect(emu.stats.requests).toBeGreaterThanOrEqual(8)
  })

  it('refuses a port that is in use with PortInUseError', async () => {
    await expect(startEmulator({portal: sampleSource(), port: emu.port})).rejects.toBeInstanceOf(PortInUseError)
  })
})

describe('serve()', () => {
  it('serves a portal folder until told to stop, then reports its statistics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmsync-serve-fn-'))
    try {
      await generatePortal({out: join(dir, 'p'), contacts: 50, deals: 10, appointments: 5, divisions: 2, seed: 3})
      let stop!: (why: string) => void
      const until = new Promise<string>((r) => (stop = r))
      let seen = ''
      const done = serve(
        {portal: join(dir, 'p'), port: 0, token: 'tok'},
        (url) => {
          seen = url
          void fetch(`${url}/crm/v3/objects/deals?limit=3`, {headers: {authorization: 'Bearer tok'}}).then(async (r) => {
            expect(((await r.json()) as {results: unknown[]}).results).toHaveLength(3)
            stop('test')
          })
        },
        until,
      )
      const result = await done
      expect(result.url).toBe(seen)
      expect(result.stoppedBy).toBe('test')
      expect(result.stats.byEndpoint.list).toBe(1)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
