/**
 * `crmsync serve` as a child process (`node bin/run.js serve ...`, dist built by `npm test`):
 * start, URL printed, requests answered, SIGTERM/SIGINT exit 0, port in use, bad flags, bad portal.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, BIN, crmsync as runCli, type CliResult} from '../helpers/cli.js'
import {generatePortal} from '../../src/portal/generator.js'

let dir: string
let portal: string

function env(): NodeJS.ProcessEnv {
  const e = {...process.env}
  delete e.HUBSPOT_ACCESS_TOKEN
  return e
}

function run(args: string[]): Promise<CliResult> {
  return runCli(args, {env: env()})
}

/** Starts serve and resolves with the first stdout line. */
function start(args: string[]): Promise<{child: ChildProcess; first: string; exited: Promise<{code: number | null; stderr: string}>}> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += String(d)))
  const exited = new Promise<{code: number | null; stderr: string}>((r) => child.on('exit', (code) => r({code, stderr})))
  return new Promise((ok, fail) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += String(d)
      const nl = out.indexOf('\n')
      if (nl !== -1) ok({child, first: out.slice(0, nl), exited})
    })
    void exited.then(({code}) => fail(new Error(`serve exited with ${code} before listening: ${stderr}`)))
  })
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-serve-e2e-'))
  portal = join(dir, 'portal')
  await generatePortal({out: portal, contacts: 150, deals: 30, appointments: 10, divisions: 3, seed: 4})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('crmsync serve', () => {
  it('prints its URL, answers HubSpot requests and exits 0 on SIGTERM', async () => {
    const {child, first, exited} = await start(['--portal', portal, '--port', '0', '--token', 'e2e-token', '--rate-limit', '50/10s'])
    const m = /^crmsync emulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)
    expect(m, `first stdout line: ${first}`).not.toBeNull()
    const url = m![1]
    const ok = await fetch(`${url}/crm/v3/objects/contacts?limit=5`, {headers: {authorization: 'Bearer e2e-token'}})
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('50')
    expect((await ok.json()).results).toHaveLength(5)
    const denied = await fetch(`${url}/crm/v3/objects/contacts`, {headers: {authorization: 'Bearer wrong'}})
    expect(denied.status).toBe(401)
    child.kill('SIGTERM')
    const {code, stderr} = await exited
    expect(code, stderr).toBe(0)
    expect(stderr).toContain('stopped (SIGTERM)')
    expect(stderr).not.toContain('e2e-token')
  })

  it('advertises 190/10s without --rate-limit, none with --rate-limit none, and writes --log without the token', async () => {
    const log = join(dir, 'requests.ndjson')
    const dflt = await start(['--portal', portal, '--token', 'e2e-log-token', '--log', log])
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(dflt.first)![1]
    const h = {authorization: 'Bearer e2e-log-token'}
    expect((await fetch(`${url}/crm/v3/objects/contacts?limit=1`, {headers: h})).headers.get('x-hubspot-ratelimit-max')).toBe('190')
    expect((await fetch(`${url}/crm/v4/associations/contacts/deals/labels`, {headers: h})).status).toBe(200)
    dflt.child.kill('SIGTERM')
    expect((await dflt.exited).code).toBe(0)
    const text = readFileSync(log, 'utf8')
    expect(text).not.toContain('e2e-log-token')
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as {method: string; path: string; status: number})
        .map((l) => `${l.method} ${l.path} ${l.status}`),
    ).toEqual(['GET /crm/v3/objects/contacts?limit=1 200', 'GET /crm/v4/associations/contacts/deals/labels 200'])
    const none = await start(['--portal', portal, '--rate-limit', 'none'])
    const url2 = /(http:\/\/127\.0\.0\.1:\d+)/.exec(none.first)![1]
    expect((await fetch(`${url2}/crm/v3/objects/contacts?limit=1`, {headers: {authorization: 'Bearer any'}})).headers.get('x-hubspot-ratelimit-max')).toBeNull()
    none.child.kill('SIGTERM')
    expect((await none.exited).code).toBe(0)
  })

  it('prints a JSON line with --json and exits 0 on SIGINT', async () => {
    const {child, first, exited} = await start(['--portal', portal, '--json'])
    const line = JSON.parse(first) as {event: string; url: string; port: number}
    expect(line.event).toBe('listening')
    expect((await fetch(`${line.url}/crm/v3/schemas`, {headers: {authorization: 'Bearer any'}})).status).toBe(200)
    child.kill('SIGINT')
    const end = await exited
    expect(end.code, end.stderr).toBe(0)
  })

  it('fails with exit 1 and names --port 0 when the port is taken', async () => {
    const blocker: Server = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as {port: number}).port
    try {
      const r = await run(['serve', '--portal', portal, '--port', String(port)])
      expect(r.code, r.stderr).toBe(1)
      expect(r.stderr).toContain(`Port ${port}`)
      expect(r.stderr).toContain('--port 0')
    } finally {
      blocker.close()
    }
  })

  it('exits 2 with a message for a bad flag value and for a missing portal folder', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--portal', portal, '--rate-limit', 'abc'], /--rate-limit "abc".*100\/10s/],
      [['--portal', join(dir, 'nope')], /does not exist.*portal generate/],
    ]
    const results = await Promise.all(cases.map(([flags]) => run(['serve', ...flags])))
    results.forEach((r, i) => {
      expect(r.code, `serve ${cases[i][0].join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(cases[i][1])
    })
  })
})
