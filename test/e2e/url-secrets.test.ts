/**
 * Passwords in connection URLs never reach the terminal or --json output, and a URL that does not
 * parse is a usage error (exit 2), not a raw TypeError (issue 11, items 6 and 9).
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {crmsync} from '../helpers/cli.js'

const PW = 'hunter2SECRETpw'
const root = mkdtempSync(join(tmpdir(), 'crmsync-url-e2e-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('postgres:// URLs for --legacy', () => {
  const db = join(root, 'store.db')
  writeFileSync(db, '')
  for (const url of [`postgres://u:${PW}@[::1/db`, `postgres://u:${PW}@h:99999/db`, `postgresql://u:p@${PW}@[bad/db`, `mysql://u:p@${PW}@h/db`]) {
    it(`${url.replace(PW, 'PW')}: exit 2, the password is not shown (text and --json)`, async () => {
      for (const json of [false, true]) {
        const r = await crmsync(['parity', 'diff', '--legacy', url, '--mapping', 'fixtures/mappings/legacy-django.json', '--db', db, '--out', join(root, 'r'), ...(json ? ['--json'] : [])])
        expect(r.code, r.stderr + r.stdout).toBe(2)
        expect(r.stderr + r.stdout).not.toContain(PW)
        expect(r.stderr + r.stdout).toMatch(/not a valid URL|unsupported legacy URL scheme/)
      }
    })
  }
})

describe('redis:// URLs for --shared-budget', () => {
  for (const url of [`redis://u:${PW}@127.0.0.1:6379`, `redis://:${PW}@[::1`, `redis://:${PW}@127.0.0.1:6379/2`]) {
    it(`${url.replace(PW, 'PW')}: exit 2, the password is not shown`, async () => {
      const r = await crmsync(['sync', 'all', '--db', join(root, 's.db'), '--base-url', 'http://127.0.0.1:9', '--shared-budget', url, '--json'], {
        env: {HOME: root, CRMSYNC_CONFIG: '', HUBSPOT_ACCESS_TOKEN: 'pat-na1-x'},
      })
      expect(r.code, r.stderr + r.stdout).toBe(2)
      expect(r.stderr + r.stdout).not.toContain(PW)
    })
  }
})
