/** parity run config validation, the performance verdict, and the timed child-process runner. */
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {mappingWithThresholds, withRatio} from '../../src/parity/run.js'
import {runCommand} from '../../src/parity/run-command.js'
import {loadRunConfig, validateRunConfig} from '../../src/parity/run-config.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'crmsync-runcfg-'))
  await mkdir(join(root, 'portal'))
  await writeFile(join(root, 'portal', 'manifest.json'), '{}')
  await writeFile(join(root, 'mapping.json'), '{}')
  await writeFile(join(root, 'dump.json'), '[]')
})
afterAll(async () => {
  await rm(root, {recursive: true, force: true})
})

function usageOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError)
    return (e as UsageError).message
  }
  throw new Error('expected UsageError')
}

describe('parity run config', () => {
  const cfgFile = () => join(root, 'parity.config.json')

  it('resolves relative paths against the config folder and applies defaults', () => {
    const c = validateRunConfig({portal: 'portal', mapping: 'mapping.json', legacy: 'dump.json'}, cfgFile())
    expect(c.portal).toBe(join(root, 'portal'))
    expect(c.legacy).toEqual({snapshot: join(root, 'dump.json'), cwd: root, timeoutSeconds: 3600})
    expect(c.out).toBe(join(root, 'reports'))
    expect(c.store).toBeUndefined()
    expect(c.syncArgs).toEqual([])
    expect(c.emulator).toEqual({})
  })

  it('validates the emulator settings with the serve flag syntax', () => {
    const ok = validateRunConfig({portal: 'portal', mapping: 'mapping.json', legacy: 'dump.json', emulator: {rateLimit: '100/10s', searchRate: '5/s', faults: '5xx:rate=0.01'}}, cfgFile())
    expect(ok.emulator).toEqual({rateLimit: '100/10s', searchRate: '5/s', faults: '5xx:rate=0.01'})
    const m = usageOf(() => validateRunConfig({portal: 'portal', mapping: 'mapping.json', legacy: 'dump.json', emulator: {rateLimit: 'fast', ratelimit: 1}}, cfgFile()))
    expect(m).toContain('emulator.ratelimit: unknown key (did you mean "rateLimit"?)')
    const r = usageOf(() => validateRunConfig({portal: 'portal', mapping: 'mapping.json', legacy: 'dump.json', emulator: {rateLimit: 'fast'}}, cfgFile()))
    expect(r).toContain('emulator.rateLimit: emulator.rateLimit "fast" is not a rate: expected COUNT/INTERVAL')
    expect(usageOf(() => validateRunConfig({portal: 'portal', mapping: 'mapping.json', legacy: 'dump.json', emulator: {faults: 'bogus:x=1'}}, cfgFile()))).toContain('emulator.faults:')
  })

  it('accepts the legacy command form, postgres URLs and YAML', async () => {
    const c = validateRunConfig(
      {portal: 'portal', mapping: 'mapping.json', legacy: {snapshot: 'postgres://u@h/db', syncCommand: ['python', 'manage.py', 'sync'], snapshotCommand: 'true'}, thresholds: {minPerformanceRatio: 1}},
      cfgFile(),
    )
    expect(c.legacy.snapshot).toBe('postgres://u@h/db')
    expect(c.legacy.syncCommand).toEqual(['python', 'manage.py', 'sync'])
    const y = join(root, 'run.yaml')
    await writeFile(y, 'portal: portal\nmapping: mapping.json\nlegacy:\n  snapshot: later.json\n  snapshotCommand: cp dump.json later.json\n')
    expect(loadRunConfig(y).legacy.snapshotCommand).toBe('cp dump.json later.json')
  })

  it('names typos with a suggestion, missing keys and bad values', () => {
    const m = usageOf(() => validateRunConfig({portl: 'portal', mapping: 'mapping.json', legacy: {snapshot: 'dump.json', sycnCommand: 'x'}, thresholds: {maxNewRegressions: -1}}, cfgFile()))
    expect(m).toContain('portl: unknown key (did you mean "portal"?)')
    expect(m).toContain('legacy.sycnCommand: unknown key (did you mean "syncCommand"?)')
    expect(m).toContain('portal: required key is missing')
    expect(m).toContain('thresholds.maxNewRegressions')
  })

  it('names missing inputs and refuses an existing store', async () => {
    await writeFile(join(root, 'old.db'), '')
    const m = usageOf(() => validateRunConfig({portal: 'nope', mapping: 'none.json', legacy: 'gone.json', store: 'old.db'}, cfgFile()))
    expect(m).toMatch(/portal: .*nope is not a portal snapshot folder/)
    expect(m).toMatch(/mapping: .*none\.json does not exist/)
    expect(m).toMatch(/legacy\.snapshot: .*gone\.json does not exist/)
    expect(m).toMatch(/store: .*old\.db already exists/)
  })

  it('reports unreadable and malformed files', async () => {
    expect(usageOf(() => loadRunConfig(join(root, 'missing.json')))).toContain('cannot read parity run config')
    await writeFile(join(root, 'bad.json'), '{"portal": ')
    expect(usageOf(() => loadRunConfig(join(root, 'bad.json')))).toContain('is not valid JSON')
  })
})

describe('withRatio / mappingWithThresholds', () => {
  it('computes legacy / crmsync only when both times are known', () => {
    expect(withRatio({crmsyncSeconds: 4, legacySeconds: 2, crmsyncRequests: 9})).toEqual({crmsyncSeconds: 4, legacySeconds: 2, crmsyncRequests: 9, ratio: 0.5})
    expect(withRatio({crmsyncSeconds: 4})).toEqual({crmsyncSeconds: 4})
  })
  it('merges threshold overrides into a copy of the mapping (JSON and YAML), leaving the original alone', async () => {
    expect(await mappingWithThresholds(join(root, 'mapping.json'), undefined, root)).toBe(join(root, 'mapping.json'))
    const m = join(root, 'm.yaml')
    await writeFile(m, 'version: 1\nentities: {}\nverdict:\n  maxErrorRate: 0.5\n  maxNewRegressions: 3\n')
    const merged = await mappingWithThresholds(m, {maxNewRegressions: 0, minPerformanceRatio: 1}, root)
    expect(merged).not.toBe(m)
    expect(JSON.parse(await readFile(merged, 'utf8'))).toEqual({version: 1, entities: {}, verdict: {maxErrorRate: 0.5, maxNewRegressions: 0, minPerformanceRatio: 1}})
    expect(await readFile(m, 'utf8')).toContain('maxNewRegressions: 3')
  })
})

describe('runCommand', () => {
  it('relays labelled output, reports exit codes and passes the environment', async () => {
    const lines: string[] = []
    const r = await runCommand('echo "url=$HUBSPOT_BASE_URL"; echo oops >&2; exit 3', {
      cwd: root,
      env: {...process.env, HUBSPOT_BASE_URL: 'http://127.0.0.1:9'},
      label: 'legacy',
      write: (l) => lines.push(l),
    })
    expect(r.code).toBe(3)
    expect(r.seconds).toBeGreaterThan(0)
    expect(lines.sort()).toEqual(['  [legacy] oops', '  [legacy] url=http://127.0.0.1:9'])
  })
  it('kills a command past its timeout and reports a missing program', async () => {
    const t = await runCommand(['sleep', '5'], {cwd: root, env: process.env, label: 's', timeoutMs: 100, write: () => undefined})
    expect(t.timedOut).toBe(true)
    expect(t.code).not.toBe(0)
    const lines: string[] = []
    const m = await runCommand(['/nonexistent/prog'], {cwd: root, env: process.env, label: 'x', write: (l) => lines.push(l)})
    expect(m.code).toBe(127)
    expect(lines.join('\n')).toContain('could not start')
  })
})
