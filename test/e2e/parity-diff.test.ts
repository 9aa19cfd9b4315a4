import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {writeSyntheticPortal} from '../../src/parity/synthetic-portal.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {assertBuilt} from '../helpers/cli.js'

const MAPPING = 'fixtures/mappings/legacy-django.json'
let dir: string
/** Run the CLI as a child process (async, so the bad-input cases can run concurrently). */
const run = (args: string[]): Promise<{status: number | null; stdout: string; stderr: string}> =>
  new Promise((resolve) => {
    execFile(process.execPath, ['bin/run.js', 'parity', 'diff', ...args], {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}}, (err, stdout, stderr) => {
      resolve({status: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr})
    })
  })

beforeAll(async () => {
  assertBuilt()
  dir = mkdtempSync(join(tmpdir(), 'crmsync-parity-e2e-'))
  const source = new SyntheticSource({contacts: 80, deals: 40, appointments: 30, divisions: 4, archivedEvery: 13, seed: 5})
  await writeSyntheticPortal(source, join(dir, 'portal'), '2025-12-31T00:00:00.000Z')
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy.json.gz'), format: 'json.gz'}, store: join(dir, 'ok.db'), snapshotAt: '2025-12-31T00:00:00Z'})
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy2.json'), format: 'json'}, store: join(dir, 'bad.db'), snapshotAt: '2025-12-31T00:00:00Z', inject: {contacts: {new: {email: 2}}}})
}, 120_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('crmsync parity diff (child process)', () => {
  it('READY: exit 0, --json result, report.json + md + html written', async () => {
    const out = join(dir, 'r-ok')
    const r = await run(['--legacy', join(dir, 'legacy.json.gz'), '--mapping', MAPPING, '--db', join(dir, 'ok.db'), '--portal', join(dir, 'portal'), '--out', out, '--json'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const res = JSON.parse(r.stdout) as {ready: boolean; dir: string; totals: {fieldMismatches: number}}
    expect(res.ready).toBe(true)
    expect(res.totals.fieldMismatches).toBe(0)
    expect(readdirSync(res.dir).sort()).toEqual(['report.html', 'report.json', 'report.md'])
    const report = JSON.parse(readFileSync(join(res.dir, 'report.json'), 'utf8'))
    expect(report.schemaVersion).toBe(2)
    expect(report.inputs.portal).toBe(join(dir, 'portal'))
  })

  it('NOT READY: exit 1, the regression is attributed to the new sync', async () => {
    const r = await run(['--legacy', join(dir, 'legacy2.json'), '--mapping', MAPPING, '--db', join(dir, 'bad.db'), '--portal', join(dir, 'portal'), '--out', join(dir, 'r-bad')])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('NOT READY')
    const [runDir] = readdirSync(join(dir, 'r-bad'))
    const report = JSON.parse(readFileSync(join(dir, 'r-bad', runDir, 'report.json'), 'utf8'))
    expect(report.totals.attribution).toEqual({new_regression: 2})
  })

  const bad: Array<[string, () => string[], RegExp]> = [
    [
      'malformed JSON',
      () => (writeFileSync(join(dir, 'trunc.json'), readFileSync(join(dir, 'legacy2.json'), 'utf8').slice(0, 5000)), ['--legacy', join(dir, 'trunc.json')]),
      /not valid JSON.*(truncated|not closed)/is,
    ],
    [
      'unknown model',
      () => (writeFileSync(join(dir, 'model.jsonl'), '{"model": "crm.contacts", "pk": 1, "fields": {"hubspot_id": "1"}}\n'), ['--legacy', join(dir, 'model.jsonl')]),
      /model "crm.contacts".*did you mean "crm.contact"/,
    ],
    [
      'missing key column',
      () => (writeFileSync(join(dir, 'nokey.jsonl'), '{"model": "crm.contact", "pk": 1, "fields": {"email": "a@b.c"}}\n'), ['--legacy', join(dir, 'nokey.jsonl')]),
      /no key column "hubspot_id"/,
    ],
    [
      'typo in the mapping',
      () => {
        const m = JSON.parse(readFileSync(MAPPING, 'utf8'))
        m.entities.contacts.fields.email.normalise = m.entities.contacts.fields.email.normalize
        writeFileSync(join(dir, 'typo.json'), JSON.stringify(m))
        return ['--legacy', join(dir, 'legacy2.json'), '--mapping', join(dir, 'typo.json')]
      },
      /entities\.contacts\.fields\.email\.normalise: unknown key \(did you mean "normalize"\?\)/,
    ],
    [
      'unreachable PostgreSQL',
      () => ['--legacy', 'postgres://crmsync:secret@127.0.0.1:1/legacy'],
      /cannot connect to the legacy PostgreSQL database postgres:\/\/crmsync:\*\*\*@127\.0\.0\.1:1\/legacy/,
    ],
    [
      'unwritable output folder',
      () => (writeFileSync(join(dir, 'a-file'), 'x'), ['--legacy', join(dir, 'legacy2.json'), '--out', join(dir, 'a-file', 'reports')]),
      /cannot write reports to .*a-file\/reports/,
    ],
  ]
  for (const [name, setup, message] of bad) {
    it.concurrent(`bad input: ${name} → clear message, exit 2, no report`, async () => {
      const out = join(dir, `out-${name.replace(/\W+/g, '-')}`)
      mkdirSync(out, {recursive: true})
      const args = setup()
      const full = [
        ...args,
        ...(args.includes('--mapping') ? [] : ['--mapping', MAPPING]),
        ...(args.includes('--db') ? [] : ['--db', join(dir, 'bad.db')]),
        ...(args.includes('--out') ? [] : ['--out', out]),
      ]
      const r = await run(full)
      const stderr = r.stderr.replace(/\s*\n\s*›\s*/g, ' ') // oclif wraps long messages
      expect(stderr).toMatch(message)
      expect(stderr).toMatch(/Try this: \w+/)
      expect(r.stderr).not.toContain('secret')
      expect(r.status).toBe(2)
      if (existsSync(out)) expect(readdirSync(out)).toEqual([])
    })
  }
})
