/**
 * A token with CR, LF, DEL or another non-printable character is refused before any request (exit 2)
 * and never echoed, from the environment and from a config file, in `sync` and `portal record`
 * (issue 11, item 3). A base URL that is not a URL is not echoed either (it may be the token).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {crmsync} from '../helpers/cli.js'

const SECRET = 'pat-na1-SECRET7f3e'
const root = mkdtempSync(join(tmpdir(), 'crmsync-token-e2e-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

// nothing listens on port 9: without the up-front check the request itself fails (and today echoes the token)
const base = ['--base-url', 'http://127.0.0.1:9']
const env = (token: string): NodeJS.ProcessEnv => ({HOME: root, CRMSYNC_CONFIG: '', HUBSPOT_BASE_URL: '', HUBSPOT_ACCESS_TOKEN: token})

describe('token characters are checked up front', () => {
  const cases: Array<[string, string]> = [
    ['CR LF', `${SECRET}\r\nX-Injected: 1`],
    ['LF', `${SECRET}\nmore`],
    ['DEL', `${SECRET}\u007f`],
    ['TAB', `${SECRET}\tx`],
    ['non-ASCII', `${SECRET}é`],
  ]
  for (const [name, token] of cases) {
    it(`sync all: a token with ${name} exits 2 without echoing it`, async () => {
      const r = await crmsync(['sync', 'all', '--db', join(root, `s-${name}.db`), ...base], {env: env(token)})
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr + r.stdout).not.toContain(SECRET)
      expect(r.stderr).toMatch(/HUBSPOT_ACCESS_TOKEN contains/)
    })
  }

  it('sync contacts --json: the error object does not carry the token either', async () => {
    const r = await crmsync(['sync', 'contacts', '--db', join(root, 'json.db'), ...base, '--json'], {env: env(`${SECRET}\r\n`.replace('\r\n', '\r\nX: y'))})
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.code).toBe('BAD_TOKEN')
    expect(r.stdout + r.stderr).not.toContain(SECRET)
  })

  it('portal record: a token with CR LF exits 2 without echoing it', async () => {
    const r = await crmsync(['portal', 'record', '--out', join(root, 'rec'), ...base], {env: env(`${SECRET}\r\nX: y`)})
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr + r.stdout).not.toContain(SECRET)
  })

  it('a token from a config file: exit 2 naming the file, not the token', async () => {
    const cfg = join(root, 'cfg.json')
    writeFileSync(cfg, JSON.stringify({accessToken: `${SECRET}\nX: y`}))
    for (const args of [
      ['sync', 'all', '--db', join(root, 'c.db')],
      ['portal', 'record', '--out', join(root, 'rec2')],
    ]) {
      const r = await crmsync([...args, ...base, '--config', cfg], {env: env('')})
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain('cfg.json')
      expect(r.stderr + r.stdout).not.toContain(SECRET)
    }
  })

  it('a base URL that is not a URL (the token in the wrong variable) is not echoed', async () => {
    const r = await crmsync(['sync', 'all', '--db', join(root, 'u.db')], {env: {...env('pat-na1-other'), HUBSPOT_BASE_URL: SECRET}})
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/base URL \(from env\) is not a URL/)
    expect(r.stderr + r.stdout).not.toContain(SECRET)
  })
})
