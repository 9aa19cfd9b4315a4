/**
 * `crmsync portal record` as a child process (`node bin/run.js`, dist built by `npm test`) against
 * the emulator on loopback: exit codes, --json, resumable work folder, and the token never written.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT, crmsync as run, type CliResult} from '../helpers/cli.js'
import {type RunningEmulator, startEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'
import {openPortal} from '../../src/portal/snapshot.js'

const TOKEN = 'pat-e2e-SECRET-9f8e7d6c5b4a'

function crmsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return run(args, {env: {HOME: home, CRMSYNC_CONFIG: '', HUBSPOT_BASE_URL: '', HUBSPOT_ACCESS_TOKEN: '', ...env}, raw: true})
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]))
}

let root: string
let home: string
let portalDir: string
let emu: RunningEmulator

type Run = Awaited<ReturnType<typeof crmsync>>
const runs: Record<string, Run> = {}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'crmsync-record-e2e-'))
  home = join(root, 'home')
  portalDir = join(root, 'portal')
  await generatePortal({out: portalDir, contacts: 160, deals: 125, appointments: 20, divisions: 3, seed: 5})
  emu = await startEmulator({portalDir, token: TOKEN, rateLimit: 'none'})
  const cfg = join(root, 'cfg.json')
  writeFileSync(cfg, JSON.stringify({accessToken: TOKEN, baseUrl: emu.url}))
  // every child process at once: the tests below only read their results
  const jobs: Record<string, Promise<Run>> = {
    json: crmsync(['portal', 'record', '--out', join(root, 'rec'), '--base-url', emu.url, '--json', '--redact', 'email,phone'], {HUBSPOT_ACCESS_TOKEN: TOKEN}),
    config: crmsync(['portal', 'record', '--out', join(root, 'rec-cfg'), '--config', cfg, '--entities', 'contacts,divisions', '--debug'], {}),
    noToken: crmsync(['portal', 'record', '--out', join(root, 'no-token'), '--base-url', emu.url], {}),
    badEntities: crmsync(['portal', 'record', '--out', join(root, 'x'), '--entities', 'contacts,companies'], {HUBSPOT_ACCESS_TOKEN: TOKEN}),
    badRate: crmsync(['portal', 'record', '--out', join(root, 'x'), '--rate-limit', 'fast'], {HUBSPOT_ACCESS_TOKEN: TOKEN}),
    tokenFlag: crmsync(['portal', 'record', '--out', join(root, 'x'), '--token', TOKEN], {}),
    rejected: crmsync(['portal', 'record', '--out', join(root, 'bad-token'), '--base-url', emu.url], {HUBSPOT_ACCESS_TOKEN: 'pat-wrong-token'}),
  }
  for (const [k, v] of Object.entries(jobs)) runs[k] = await v
})

afterAll(async () => {
  await emu?.stop()
  rmSync(root, {recursive: true, force: true})
})

describe('crmsync portal record (child process)', () => {
  it('records the served portal, prints a summary, and never writes the token', async () => {
    const r = runs.json
    expect(r.stderr).not.toContain(TOKEN)
    expect(r.code).toBe(0)
    const json = JSON.parse(r.stdout) as {objects: Array<{name: string; count: number}>; associations: number; requests: {requests: number}}
    const p = await openPortal(portalDir)
    expect(json.objects.map((o) => [o.name, o.count])).toEqual(p.manifest.objects.map((o) => [o.name, o.count]))
    expect(json.associations).toBe(p.manifest.associations.count)
    expect(r.stdout).not.toContain(TOKEN)
    for (const f of walk(join(root, 'rec'))) expect(readFileSync(f, 'utf8'), f).not.toContain(TOKEN)
  })

  it('reads the token from a config file given with --config, with --debug logs free of the token', () => {
    const r = runs.config
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Recorded portal \d+ from http:\/\/127\.0\.0\.1/)
    expect(r.stderr).toMatch(/"path":"\/crm\/v3\/objects\/0-1"/)
    expect(r.stderr + r.stdout).not.toContain(TOKEN)
    for (const f of walk(join(root, 'rec-cfg'))) expect(readFileSync(f, 'utf8')).not.toContain(TOKEN)
  })

  it('exits 2 naming both ways to set the token when none is set, and writes nothing', () => {
    const r = runs.noToken
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/HUBSPOT_ACCESS_TOKEN/)
    expect(r.stderr).toMatch(/config/)
    expect(readdirSync(root)).not.toContain('no-token')
    expect(readdirSync(root)).not.toContain('no-token.record-work')
  })

  it('exits 2 for a bad --entities or --rate-limit value, and for a token passed as a flag', () => {
    expect(runs.badEntities.code).toBe(2)
    expect(runs.badEntities.stderr).toMatch(/companies/)
    expect(runs.badRate.code).toBe(2)
    expect(runs.badRate.stderr).toMatch(/100\/10s/)
    expect(runs.tokenFlag.code).toBe(2)
    expect(readdirSync(root)).not.toContain('x')
  })

  it('exits 1 with the AuthError message when the emulator rejects the token', () => {
    const r = runs.rejected
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/access token was rejected/)
    expect(r.stderr).not.toContain('pat-wrong-token')
  })
})
