/** `crmsync parity init-mapping`: a copy of the reference mapping whose ledger rules have an owner and a near expiry. */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'
import {loadMapping} from '../../src/parity/mapping/load.js'
import {crmsync} from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'crmsync-init-mapping-'))
const REFERENCE = 'fixtures/mappings/legacy-django.json'
const inDays = (n: number) => {
  const d = new Date()
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + n * 86_400_000).toISOString().slice(0, 10)
}

describe('parity init-mapping', () => {
  it('copies the reference mapping with every ledger rule owned by --owner and expiring in 90 days', async () => {
    const out = join(dir, 'mapping.json')
    const r = await crmsync(['parity', 'init-mapping', '--out', out, '--owner', 'crm-team', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const written = JSON.parse(readFileSync(out, 'utf8'))
    const reference = JSON.parse(readFileSync(REFERENCE, 'utf8'))
    expect(written.ledger.length).toBe(reference.ledger.length)
    for (const rule of written.ledger) expect(rule).toMatchObject({owner: 'crm-team', expires: inDays(90)})
    expect({...written, ledger: []}).toEqual({...reference, ledger: []}) // everything else as shipped
    expect(loadMapping(out).mapping.ledger).toHaveLength(reference.ledger.length)
    expect(JSON.parse(r.stdout)).toMatchObject({out, owner: 'crm-team', expires: inDays(90)})
  })

  it('writes YAML for a .yaml name and takes --expires-in', async () => {
    const out = join(dir, 'mapping.yaml')
    const r = await crmsync(['parity', 'init-mapping', '--out', out, '--owner', 'ops', '--expires-in', '30d'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/ledger rules owned by ops, expiring \d{4}-\d\d-\d\d/)
    const y = parseYaml(readFileSync(out, 'utf8'))
    expect(y.ledger.every((x: {owner: string; expires: string}) => x.owner === 'ops' && x.expires === inDays(30))).toBe(true)
    expect(loadMapping(out).mapping.ledger.length).toBeGreaterThan(0)
  })

  it('never replaces a file without --force, and refuses a bad duration (exit 2)', async () => {
    const out = join(dir, 'mine.json')
    writeFileSync(out, '{"mine": true}')
    const r = await crmsync(['parity', 'init-mapping', '--out', out, '--owner', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/already exists.*--force/)
    expect(readFileSync(out, 'utf8')).toBe('{"mine": true}')
    expect((await crmsync(['parity', 'init-mapping', '--out', out, '--owner', 'x', '--force'])).code).toBe(0)
    const bad = await crmsync(['parity', 'init-mapping', '--out', join(dir, 'b.json'), '--owner', 'x', '--expires-in', 'forever'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--expires-in "forever" is not a duration/)
  })

  it('the shipped mapping itself expires its rules within two years, not in 2099', () => {
    const reference = JSON.parse(readFileSync(REFERENCE, 'utf8'))
    for (const rule of reference.ledger) expect(rule.expires < inDays(2 * 366), rule.id).toBe(true)
  })
})
