/**
 * Emulator defects found by the adversarial pass (issue 11 items 12 and 13): hostile property
 * names survive, `properties=` is split the way HubSpot splits it, and inputs HubSpot refuses with
 * 400 (or 413) are refused the same way instead of a 500 that clients retry.
 */
import {request as httpRequest} from 'node:http'
import {connect} from 'node:net'
import {readFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {HUBSPOT_LIMITS} from '../../src/emulator/hubspot-limits.js'
import {createEmulator, startEmulator, type InProcessEmulator, type RunningEmulator} from '../../src/emulator/index.js'
import {memoryPortal} from '../../src/emulator/memory-portal.js'
import {serve} from '../../src/emulator/serve.js'
import {generatePortal} from '../../src/portal/generator.js'
import {call, contact, emulator, TOKEN} from './emulator-fixture.js'

const HOSTILE = ['__proto__', 'constructor', 'a,b', ' padded', 'toString']

describe('hostile property names (issue 11 item 12)', () => {
  let emu: InProcessEmulator
  beforeAll(async () => {
    const c = contact('1', 1)
    const pairs = [...Object.entries(c.properties), ...HOSTILE.map((n) => [n, `value of ${n}`])]
    const json = `{"id":"1","properties":{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}},"createdAt":"${c.createdAt}","updatedAt":"${c.updatedAt}","archived":false}`
    const record = JSON.parse(json) // JSON.parse keeps "__proto__" as an own property, like a snapshot reader
    emu = await createEmulator({
      token: TOKEN,
      portal: memoryPortal({objects: [{name: 'contacts', objectTypeId: '0-1', properties: HOSTILE.map((name) => ({name, label: name, type: 'string', fieldType: 'text'})), records: [record]}]}),
    })
  })
  afterAll(() => emu.close())

  const own = (o: Record<string, unknown>) => Object.entries(o).filter(([k]) => HOSTILE.includes(k))

  it('serves __proto__, constructor, a name with a comma and one with a leading space through repeated properties=', async () => {
    const q = HOSTILE.map((n) => `properties=${encodeURIComponent(n)}`).join('&')
    const r = await call(emu, 'GET', `/crm/v3/objects/contacts/1?${q}`)
    expect(r.status).toBe(200)
    expect(r.text).toContain('"__proto__":"value of __proto__"')
    expect(own(JSON.parse(r.text).properties)).toHaveLength(HOSTILE.length)
  })

  it('keeps a defined comma name whole inside a comma-joined list, and never trims a name', async () => {
    const r = await call(emu, 'GET', `/crm/v3/objects/contacts?properties=${encodeURIComponent('email,a,b, padded,__proto__')}`)
    const p = JSON.parse(r.text).results[0].properties
    expect(Object.keys(p).sort()).toEqual([' padded', '__proto__', 'a,b', 'email'])
    expect(p['a,b']).toBe('value of a,b')
    const trimmed = await call(emu, 'GET', '/crm/v3/objects/contacts?properties=padded')
    expect(JSON.parse(trimmed.text).results[0].properties).toEqual({})
  })

  it('serves them through batch read and search bodies too', async () => {
    const b = await call(emu, 'POST', '/crm/v3/objects/contacts/batch/read', {inputs: [{id: '1'}], properties: HOSTILE})
    expect(own(JSON.parse(b.text).results[0].properties)).toHaveLength(HOSTILE.length)
    const s = await call(emu, 'POST', '/crm/v3/objects/contacts/search', {properties: HOSTILE})
    expect(own(JSON.parse(s.text).results[0].properties)).toHaveLength(HOSTILE.length)
  })
})

describe('400 where HubSpot answers 400 (issue 11 item 13)', () => {
  let emu: InProcessEmulator
  beforeAll(async () => {
    emu = await emulator()
  })
  afterAll(() => emu.close())

  it('refuses an IN filter with too many values', async () => {
    const values = Array.from({length: 1000}, (_, i) => String(i))
    const r = await call(emu, 'POST', '/crm/v3/objects/contacts/search', {filterGroups: [{filters: [{propertyName: 'hs_object_id', operator: 'IN', values}]}]})
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({status: 'error', category: 'VALIDATION_ERROR'})
    const ok = await call(emu, 'POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{filters: [{propertyName: 'hs_object_id', operator: 'IN', values: values.slice(0, HUBSPOT_LIMITS.searchMaxInValues)}]}],
    })
    expect(ok.status).toBe(200)
  })

  it('refuses query text longer than 3,000 characters', async () => {
    const r = await call(emu, 'POST', '/crm/v3/objects/contacts/search', {query: 'x'.repeat(50_000)})
    expect(r.status).toBe(400)
    expect(r.body.message).toMatch(/3000/)
    expect((await call(emu, 'POST', '/crm/v3/objects/contacts/search', {query: 'user1'})).status).toBe(200)
  })
})

/** One raw HTTP/1.1 exchange: the status line of the answer. */
function rawStatus(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text))
    let got = ''
    s.on('data', (d) => {
      got += d.toString('latin1')
      if (got.includes('\r\n\r\n')) {
        resolve(got.split('\r\n')[0])
        s.destroy()
      }
    })
    s.on('error', reject)
  })
}

describe('over loopback', () => {
  let emu: RunningEmulator
  beforeAll(async () => {
    emu = await startEmulator({portal: memoryPortal({objects: [{name: 'contacts', objectTypeId: '0-1', properties: [], records: [contact('1', 1)]}]}), token: TOKEN, rateLimit: 'none'})
  })
  afterAll(async () => emu?.stop())

  it('answers 400 (not 500) to absolute-form and asterisk request targets and a malformed percent-encoding', async () => {
    const auth = `Authorization: Bearer ${TOKEN}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`
    expect(await rawStatus(emu.port, `GET http://example.com/crm/v3/objects/contacts HTTP/1.1\r\n${auth}`)).toMatch(/^HTTP\/1.1 400/)
    expect(await rawStatus(emu.port, `OPTIONS * HTTP/1.1\r\n${auth}`)).toMatch(/^HTTP\/1.1 400/)
    expect(await rawStatus(emu.port, `GET /crm/v3/objects/%E0%A4%A HTTP/1.1\r\n${auth}`)).toMatch(/^HTTP\/1.1 400/)
    expect(await rawStatus(emu.port, `GET /crm/v3/objects/contacts?limit=1 HTTP/1.1\r\n${auth}`)).toMatch(/^HTTP\/1.1 200/)
  })

  it('answers 413 with a HubSpot-style body to a request body over 1 MiB, declared or chunked', async () => {
    const big = JSON.stringify({inputs: [{id: '1'}], pad: 'x'.repeat(HUBSPOT_LIMITS.maxBodyBytes)})
    const declared = await fetch(`${emu.url}/crm/v3/objects/contacts/batch/read`, {method: 'POST', headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'}, body: big})
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({status: 'error', category: 'VALIDATION_ERROR'})
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${emu.url}/crm/v3/objects/contacts/batch/read`,
        {method: 'POST', headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked'}},
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)))
      for (let i = 0; i < 20; i++) req.write('x'.repeat(100_000))
      req.end()
    })
    expect(chunked).toBe(413)
    const small = await fetch(`${emu.url}/crm/v3/objects/contacts/batch/read`, {
      method: 'POST',
      headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
      body: JSON.stringify({inputs: [{id: '1'}]}),
    })
    expect(small.status).toBe(200)
  })
})

describe('serve --log', () => {
  it('writes one JSON line per request with method, path, status and ms, never the token', async () => {
    const root = mkdtempSync(join(tmpdir(), 'crmsync-log-'))
    try {
      await generatePortal({out: join(root, 'p'), contacts: 5, deals: 1, appointments: 1, divisions: 1, seed: 4})
      const secret = 'log-secret-token-123'
      let stop: (why: string) => void = () => {}
      const until = new Promise<string>((r) => (stop = r))
      const done = serve(
        {portal: join(root, 'p'), port: 0, token: secret, rateLimit: 'none', log: join(root, 'requests.ndjson')},
        (url) => {
          void (async () => {
            const h = {authorization: `Bearer ${secret}`}
            await fetch(`${url}/crm/v3/objects/contacts?limit=2&hapikey=${secret}`, {headers: h})
            await fetch(`${url}/crm/v3/objects/contacts/search`, {method: 'POST', headers: {...h, 'content-type': 'application/json'}, body: '{}'})
            await fetch(`${url}/crm/v3/objects/contacts`, {headers: {authorization: 'Bearer wrong'}})
            stop('test')
          })()
        },
        until,
      )
      await done
      const text = readFileSync(join(root, 'requests.ndjson'), 'utf8')
      expect(text).not.toContain(secret)
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines.map((l) => [l.method, l.path.split('?')[0], l.status])).toEqual([
        ['GET', '/crm/v3/objects/contacts', 200],
        ['POST', '/crm/v3/objects/contacts/search', 200],
        ['GET', '/crm/v3/objects/contacts', 401],
      ])
      expect(lines[0].path).toBe('/crm/v3/objects/contacts?limit=2&hapikey=[redacted]')
      for (const l of lines) expect(Object.keys(l).sort()).toEqual(['method', 'ms', 'path', 'status'])
      expect(lines.every((l) => typeof l.ms === 'number' && l.ms >= 0)).toBe(true)
    } finally {
      rmSync(root, {recursive: true, force: true})
    }
  })
})
