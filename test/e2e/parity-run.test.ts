/**
 * `crmsync parity run` as a child process, end to end: a generated portal served by the emulator,
 * `crmsync sync all` into a fresh store, a stand-in legacy sync (a small script that reads
 * HUBSPOT_BASE_URL / HUBSPOT_ACCESS_TOKEN from its environment and pages the contacts list API,
 * like the Django command) with one injected defect, then the diff and the reports.
 */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, readdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertBuilt, ROOT, BIN, crmsync as run, type CliResult} from '../helpers/cli.js'
import type {ParityReport} from '../../src/reports/report-types.js'
import {generatePortal} from '../../src/portal/generator.js'
import {progressLines, type ProgressLine} from '../helpers/progress-lines.js'

const DEFECT_EVERY = 25

function crmsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return run(args, {env})
}

// stands in for `manage.py sync_hubspot_contacts`: Django conventions ("" for missing text, email
// trimmed + lowercased, names cut to 100) and one undocumented defect: every 25th first_name is "X"
const LEGACY_SYNC = `
import {writeFileSync} from 'node:fs'
const base = process.env.HUBSPOT_BASE_URL, token = process.env.HUBSPOT_ACCESS_TOKEN
if (!base || !token) { console.error('HUBSPOT_BASE_URL and HUBSPOT_ACCESS_TOKEN are required'); process.exit(3) }
// cut to 100 characters as Python does (code points, not UTF-16 units)
const cut = (v) => [...(v ?? '')].slice(0, 100).join('')
const rows = []
let after
do {
  const u = new URL(base + '/crm/v3/objects/contacts')
  u.searchParams.set('limit', '100')
  u.searchParams.set('properties', 'email,firstname,lastname')
  if (after) u.searchParams.set('after', after)
  const r = await fetch(u, {headers: {authorization: 'Bearer ' + token}})
  if (!r.ok) { console.error('HTTP ' + r.status); process.exit(1) }
  const j = await r.json()
  for (const c of j.results) {
    const p = c.properties, pk = rows.length + 1
    rows.push({model: 'crm.contact', pk, fields: {hubspot_id: c.id, email: (p.email ?? '').trim().toLowerCase(),
      first_name: (pk - 1) % ${DEFECT_EVERY} === 0 ? 'X' : cut(p.firstname), last_name: cut(p.lastname)}})
  }
  after = j.paging?.next?.after
} while (after)
writeFileSync(process.argv[2], JSON.stringify(rows))
console.log('legacy synced ' + rows.length + ' contacts')
`

const MAPPING = {
  version: 1,
  entities: {
    contacts: {
      model: 'crm.contact',
      table: 'crm_contact',
      key: {legacy: 'hubspot_id'},
      modifiedProperty: 'lastmodifieddate',
      fields: {
        email: {property: 'email', normalize: ['trim', 'lowercase', 'empty-as-null']},
        first_name: {property: 'firstname', normalize: ['truncate:100', 'empty-as-null']},
        last_name: {property: 'lastname', normalize: ['truncate:100', 'empty-as-null']},
      },
    },
  },
  ledger: [{id: 'legacy-drops-archived', entity: 'contacts', class: 'missing_in_legacy', when: 'new-archived', reason: 'legacy deletes archived records', owner: 'data-team', expires: '2099-12-31'}],
  verdict: {maxNewRegressions: 0, maxUnexplainedMismatchRate: 0.1, maxErrorRate: 0},
}

describe('crmsync parity run', () => {
  let dir: string
  let live = 0
  let archived = 0
  beforeAll(async () => {
    assertBuilt('dist/commands/parity/run.js')
    dir = await mkdtemp(join(tmpdir(), 'crmsync-prun-'))
    await generatePortal({out: join(dir, 'portal'), contacts: 120, deals: 10, appointments: 5, divisions: 3, seed: 11})
    for (const line of (await readFile(join(dir, 'portal', 'contacts.ndjson'), 'utf8')).split('\n').filter(Boolean)) {
      if ((JSON.parse(line) as {archived: boolean}).archived) archived++
      else live++
    }
    await writeFile(join(dir, 'legacy-sync.mjs'), LEGACY_SYNC)
    await writeFile(join(dir, 'mapping.json'), JSON.stringify(MAPPING))
    await writeFile(
      join(dir, 'parity.config.json'),
      JSON.stringify({
        portal: 'portal',
        mapping: 'mapping.json',
        legacy: {syncCommand: [process.execPath, 'legacy-sync.mjs', 'legacy-raw.json'], snapshotCommand: 'cp legacy-raw.json dumpdata.json', snapshot: 'dumpdata.json'},
        out: 'out',
        emulator: {rateLimit: '100/10s', searchRate: '5/s'},
      }),
    )
  })
  afterAll(async () => {
    if (!process.env.KEEP_TMP) await rm(dir, {recursive: true, force: true})
  })

  it('syncs, runs the legacy commands against the same emulator, diffs and reports READY', async () => {
    const r = await crmsync(['parity', 'run', '--config', join(dir, 'parity.config.json'), '--json'], {HUBSPOT_ACCESS_TOKEN: 'pat-na1-real-looking-secret'})
    expect(r.stderr).toContain('[legacy sync] legacy synced')
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as {ready: boolean; dir: string; files: string[]}
    expect(out.ready).toBe(true)
    expect((await readdir(out.dir)).sort()).toEqual(['report.html', 'report.json', 'report.md'])
    const report = JSON.parse(await readFile(join(out.dir, 'report.json'), 'utf8')) as ParityReport
    const contacts = report.entities.find((e) => e.entity === 'contacts')
    expect(contacts?.counts.legacyRows).toBe(live)
    expect(contacts?.counts.missing_in_legacy).toBe(archived)
    expect(contacts?.counts.missing_in_new).toBe(0)
    const firstName = contacts?.fields.find((f) => f.field === 'first_name')
    expect(firstName?.mismatched).toBe(Math.ceil(live / DEFECT_EVERY))
    expect(firstName?.attribution.legacy_defect).toBe(Math.ceil(live / DEFECT_EVERY))
    expect(contacts?.fields.find((f) => f.field === 'email')?.mismatched).toBe(0)
    expect(contacts?.fields.find((f) => f.field === 'last_name')?.mismatched).toBe(0)
    expect(report.totals.attribution).toEqual({legacy_defect: Math.ceil(live / DEFECT_EVERY)})
    expect(report.ledger.find((l) => l.id === 'legacy-drops-archived')?.absorbed).toBe(archived)
    expect(report.performance?.crmsyncSeconds).toBeGreaterThan(0)
    expect(report.performance?.legacySeconds).toBeGreaterThan(0)
    expect(report.performance?.ratio).toBeCloseTo((report.performance?.legacySeconds ?? 0) / (report.performance?.crmsyncSeconds ?? 1), 6)
    expect(report.performance?.crmsyncRequests).toBeGreaterThan(0)
    expect(report.inputs.mapping).toBe(join(dir, 'mapping.json'))
    // the operator's real token is never handed to the emulated run nor written anywhere
    for (const f of out.files) expect(await readFile(f, 'utf8')).not.toContain('pat-na1-real-looking-secret')
    expect(r.stderr + r.stdout).not.toContain('pat-na1-real-looking-secret')
    expect(await readFile(join(out.dir, 'report.html'), 'utf8')).toContain('legacy / crmsync: <strong>')
    // both sides met the emulator's 100/10s: crmsync adopted it from the headers, and the Performance section says so
    expect(report.performance?.pacing).toMatchObject({same: true, search: '5/s'})
    expect(report.performance?.pacing?.emulator).toMatch(/^100\/10s, enforced and advertised/)
    expect(report.performance?.pacing?.crmsync).toMatch(/^100\/10s \(adopted from the emulator's rate-limit headers\)/)
    expect(report.performance?.pacing?.legacy).toMatch(/^100\/10s \(enforced by the emulator/)
    expect(report.performance?.pacing?.warning).toBeUndefined()
    expect(r.stderr).not.toContain('WARNING')
    const md = await readFile(join(out.dir, 'report.md'), 'utf8')
    expect(md.slice(md.indexOf('## Performance'))).toMatch(/Rate limits: emulator 100\/10s.*crmsync 100\/10s.*legacy 100\/10s/)
  })

  it("shows one progress display for the whole run: its phases and the sync's streams, the rate-limit wait included (JSON lines)", async () => {
    // 10 records a page under 15 requests per 10 s: the sync waits for the rate limit part-way
    const cfg = JSON.parse(await readFile(join(dir, 'parity.config.json'), 'utf8')) as Record<string, unknown>
    await writeFile(join(dir, 'progress.config.json'), JSON.stringify({...cfg, emulator: {rateLimit: '15/10s'}, syncArgs: ['--batch-size', '10']}))
    const r = await run(['parity', 'run', '--config', join(dir, 'progress.config.json'), '--progress', 'lines', '--log-format', 'json', '--progress-interval', '1s'], {raw: true})
    expect(r.code, r.stderr).toBe(0)
    // every stderr line is JSON: progress and the run's log alike
    const lines = progressLines(r.stderr) as unknown as Array<Partial<Omit<ProgressLine, 'event'>> & {event: 'progress' | 'log'; command: string; message?: string}>
    expect(lines.every((l) => l.command === 'parity run')).toBe(true)
    const logs = lines.filter((l) => l.event === 'log').map((l) => l.message!)
    expect(logs).toContainEqual(expect.stringContaining('[legacy sync] legacy synced'))
    expect(
      logs.some((m) => m.includes('"event":"progress"')),
      'a child progress line was relayed raw',
    ).toBe(false)
    const progress = lines.filter((l) => l.event === 'progress')
    const phasesDone = progress.filter((l) => l.phaseOnly && l.state === 'done').map((l) => l.stream)
    expect(phasesDone).toEqual(['legacy commands', 'crmsync sync', 'reading legacy', 'staging', 'diffing', 'rendering', 'writing report'])
    const streams = progress.filter((l) => !l.phaseOnly)
    const contactsDone = streams.filter((l) => l.stream === 'sync contacts' && l.state === 'done')
    expect(contactsDone).toHaveLength(1)
    expect(contactsDone[0]).toMatchObject({records: live + archived, total: expect.any(Number)})
    for (const s of ['deals', 'appointments', 'divisions', 'associations'])
      expect(
        streams.filter((l) => l.stream === `sync ${s}` && l.state === 'done'),
        s,
      ).toHaveLength(1)
    expect(
      streams.some((l) => l.state === 'waiting' && (l.rateLimitWaitSeconds ?? 0) >= 1),
      'no line showed the sync waiting for the rate limit',
    ).toBe(true)
  })

  it('says loudly when crmsync ran under other pacing than the legacy sync (stderr and report.json)', async () => {
    const cfg = JSON.parse(await readFile(join(dir, 'parity.config.json'), 'utf8')) as Record<string, unknown>
    await writeFile(join(dir, 'mismatch.json'), JSON.stringify({...cfg, out: 'out-mismatch', syncArgs: ['--rate-limit', '50/10s']}))
    const r = await crmsync(['parity', 'run', '--config', join(dir, 'mismatch.json'), '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain('WARNING: the two sides ran under different pacing: crmsync paced itself at 50/10s (--rate-limit in syncArgs), the legacy sync met 100/10s')
    const out = JSON.parse(r.stdout) as {dir: string}
    const report = JSON.parse(await readFile(join(out.dir, 'report.json'), 'utf8')) as ParityReport
    expect(report.performance?.pacing?.same).toBe(false)
    expect(report.performance?.pacing?.warning).toMatch(/Remove --rate-limit/)
    expect(await readFile(join(out.dir, 'report.md'), 'utf8')).toContain('**WARNING: the two sides ran under different pacing')
    expect(await readFile(join(out.dir, 'report.html'), 'utf8')).toContain('id="pacing-warning"')
  })

  it('exits 1 NOT READY when a config threshold is stricter than the mapping', async () => {
    await writeFile(join(dir, 'strict.yaml'), `portal: portal\nmapping: mapping.json\nlegacy: dumpdata.json\nout: out-strict\nthresholds:\n  maxUnexplainedMismatchRate: 0\n`)
    const r = await crmsync(['parity', 'run', '--config', join(dir, 'strict.yaml')])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('Parity verdict: NOT READY')
    expect(r.stdout).toMatch(/FAIL unexplained_mismatch_rate:contacts/)
    expect(r.stdout).toMatch(/Report: .*out-strict.*report\.html/)
    expect(r.stderr).toContain('parity run: crmsync synced in')
  })

  it('exits 2 on a bad config, a failing legacy command exits 1, and no report is written', async () => {
    await writeFile(join(dir, 'typo.json'), JSON.stringify({portal: 'portal', mapping: 'mapping.json', legacy: 'dumpdata.json', ouput: 'x'}))
    const typo = await crmsync(['parity', 'run', '--config', join(dir, 'typo.json')])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain('ouput: unknown key (did you mean "output"?)'.replace('output', 'out'))
    const missing = await crmsync(['parity', 'run', '--config', join(dir, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('cannot read parity run config')
    await writeFile(join(dir, 'a-file'), 'x')
    await writeFile(join(dir, 'unwritable.json'), JSON.stringify({portal: 'portal', mapping: 'mapping.json', legacy: 'dumpdata.json', out: 'a-file/reports'}))
    const unwritable = await crmsync(['parity', 'run', '--config', join(dir, 'unwritable.json')])
    expect(unwritable.code).toBe(2)
    expect(unwritable.stderr).toMatch(/output folder .*a-file\/reports is not writable/)
    expect(unwritable.stderr).not.toContain('crmsync sync all --db') // failed before syncing

    await writeFile(
      join(dir, 'legacy-fails.json'),
      JSON.stringify({portal: 'portal', mapping: 'mapping.json', legacy: {snapshot: 'dumpdata.json', syncCommand: 'echo boom >&2; exit 7'}, out: 'out-fail'}),
    )
    const failing = await crmsync(['parity', 'run', '--config', join(dir, 'legacy-fails.json')])
    expect(failing.code).toBe(1)
    expect(failing.stderr).toContain('[legacy sync] boom')
    expect(failing.stderr).toContain('legacy sync command failed (exit 7)')
    expect(failing.stderr).not.toContain('crmsync sync all --db') // the legacy sync runs first
    expect(existsSync(join(dir, 'out-fail')) ? await readdir(join(dir, 'out-fail')) : []).toEqual([])
  })

  it('on SIGINT stops the legacy command, deletes the temp store and writes no report (exit 1)', async () => {
    await writeFile(
      join(dir, 'slow.json'),
      JSON.stringify({
        portal: 'portal',
        mapping: 'mapping.json',
        legacy: {snapshot: 'never-written.json', syncCommand: 'echo $$ > legacy.pid; echo started; sleep 60; echo not-killed', snapshotCommand: 'echo never-run'},
        out: 'out-int',
      }),
    )
    const child = spawn(process.execPath, [BIN, 'parity', 'run', '--config', join(dir, 'slow.json')], {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stderr = ''
    let sent = false
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!sent && stderr.includes('[legacy sync] started')) {
        sent = true // once: a second Ctrl-C kills at once, as in any CLI
        child.kill('SIGINT')
      }
    })
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)))
    expect(code, stderr).toBe(1)
    expect(stderr).toContain('SIGINT received, stopping')
    expect(stderr).toContain('parity run interrupted; no report was written')
    expect(stderr).not.toContain('not-killed')
    // the legacy command's whole process group (the shell and its sleep) is gone
    const pgid = Number(await readFile(join(dir, 'legacy.pid'), 'utf8'))
    let alive = true
    for (let i = 0; i < 50 && alive; i++) {
      try {
        process.kill(-pgid, 0)
        await new Promise((r) => setTimeout(r, 100))
      } catch {
        alive = false
      }
    }
    expect(alive).toBe(false)
    const store = /fresh store (\S+store\.db)/.exec(stderr)?.[1]
    expect(store).toBeDefined()
    expect(existsSync(store as string)).toBe(false)
    expect(existsSync(join(dir, 'out-int')) ? await readdir(join(dir, 'out-int')) : []).toEqual([])
  })
})
