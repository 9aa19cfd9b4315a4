/** `crmsync parity diff` progress off a terminal: one line per phase (reading legacy, staging, diffing, rendering) as it ends. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {simulateLegacy} from '../../src/parity/legacy-simulator.js'
import {SyntheticSource} from '../../src/parity/synthetic-source.js'
import {crmsync} from '../helpers/cli.js'

let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-diff-progress-'))
  const source = new SyntheticSource({contacts: 40, deals: 10, appointments: 10, divisions: 3, archivedEvery: 13, seed: 8})
  await simulateLegacy({source, legacy: {path: join(dir, 'legacy.json'), format: 'json'}, store: join(dir, 'store.db'), snapshotAt: '2025-12-31T00:00:00Z'})
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('parity diff progress', () => {
  const args = () => ['parity', 'diff', '--legacy', join(dir, 'legacy.json'), '--mapping', 'fixtures/mappings/legacy-django.json', '--db', join(dir, 'store.db'), '--out', join(dir, 'r')]

  it('writes a JSON line as each phase ends, in order', async () => {
    const r = await crmsync([...args(), '--log-format', 'json'], {raw: true})
    expect(r.code, r.stderr).toBeLessThanOrEqual(1)
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as {command: string; stream: string; state: string; phaseOnly?: boolean})
    expect(lines.filter((l) => l.state === 'done').map((l) => l.stream)).toEqual(['reading legacy', 'staging', 'diffing', 'rendering'])
    expect(lines.every((l) => l.command === 'parity diff' && l.phaseOnly === true)).toBe(true)
  })

  it('writes human lines by default, nothing with --progress none or --json', async () => {
    const text = await crmsync(args(), {raw: true})
    expect(text.stderr).toMatch(/^\S+Z parity diff diffing: done in \d+\.\ds$/m)
    expect((await crmsync([...args(), '--progress', 'none'], {raw: true})).stderr).toBe('')
    expect((await crmsync([...args(), '--json'], {raw: true})).stderr).toBe('')
  })
})
