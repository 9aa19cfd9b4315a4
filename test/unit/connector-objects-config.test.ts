import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {loadObjectsConfig} from '../../src/connectors/hubspot/objects-config.js'
import {resolveObjectType} from '../../src/connectors/hubspot/schema.js'
import {parseRateLimit} from '../../src/core/rate-spec.js'
import {validateRequest} from '../../src/core/sync-request.js'
import {tempDir} from '../conformance/sync-harness.js'

const file = (name: string, text: string) => {
  const p = join(tempDir(), name)
  writeFileSync(p, text)
  return p
}

describe('custom objects by configuration', () => {
  it('loads YAML and JSON, adding the modified property', () => {
    const y = loadObjectsConfig(file('o.yaml', 'objects:\n  - entity: projects\n    objectType: projects\n    properties: [name]\n'), ['contacts'])
    expect(y.objects).toEqual([{entity: 'projects', objectType: 'projects', properties: ['name', 'hs_lastmodifieddate'], modifiedProperty: 'hs_lastmodifieddate', associations: []}])
    const j = loadObjectsConfig(file('o.json', JSON.stringify({objects: [{entity: 'x', objectType: '2-5', associations: ['contacts']}]})), [])
    expect(j.objects[0].associations).toEqual(['contacts'])
    expect(loadObjectsConfig(file('d.json', '{"divisionsObjectType": "2-42"}'), [])).toEqual({objects: [], divisionsObjectType: '2-42'})
    expect(() => loadObjectsConfig(file('e.json', '{"divisionsObjectType": "divisions"}'), [])).toThrow(/2-1234/)
  })

  it('rejects bad files with a UsageError naming the problem', () => {
    expect(() => loadObjectsConfig('/no/such/file.yaml', [])).toThrow(/cannot read objects config/)
    expect(() => loadObjectsConfig(file('a.json', '{'), [])).toThrow(/does not parse/)
    expect(() => loadObjectsConfig(file('b.yaml', 'objects:\n  - entity: Bad Name\n    objectType: x\n'), [])).toThrow(UsageError)
    expect(() => loadObjectsConfig(file('c.yaml', 'objects:\n  - entity: contacts\n    objectType: x\n'), ['contacts'])).toThrow(/clashes/)
  })

  it('resolves object types by id, name or fully qualified name', () => {
    const schemas = new Map([
      ['divisions', '2-77'],
      ['p1_divisions', '2-77'],
    ])
    expect(resolveObjectType('2-9', schemas, 'e')).toBe('2-9')
    expect(resolveObjectType('P1_Divisions', schemas, 'e')).toBe('2-77')
    expect(() => resolveObjectType('nope', schemas, 'e')).toThrow(/not among this portal's schemas.*2-77/)
  })
})

describe('sync request validation', () => {
  const base = {target: 'contacts', full: false, dryRun: false, debug: false, db: 'x', json: false}
  it('refuses --lookback below 1 minute (late-indexed records would be lost for good), naming the fix', () => {
    for (const m of [0, 0.5, -1, Number.NaN]) expect(() => validateRequest({...base, lookbackMinutes: m}), String(m)).toThrow(/--lookback .* is below the minimum of 1 minute/)
    expect(() => validateRequest({...base, lookbackMinutes: 0})).toThrow(UsageError)
    expect(validateRequest({...base, lookbackMinutes: 1}).lookbackMs).toBe(60_000)
  })
  it('checks --since, --batch-size per target, --full with --since, and --rate-limit', () => {
    expect(validateRequest({...base, since: '2026-01-02', batchSize: 100})).toEqual({
      since: Date.parse('2026-01-02T00:00:00Z'),
      batchSize: 100,
      lookbackMs: 300_000,
      reconcile: {mode: 'share', share: 0.1},
      lanes: 'list+search',
    })
    expect(validateRequest({...base, rateLimit: 'none'}).lanes).toBe('list')
    expect(validateRequest({...base, rateLimit: 'none', lanes: 'list+search'}).lanes).toBe('list+search')
    expect(() => validateRequest({...base, lanes: 'search'})).toThrow(/--lanes "search" is not a lane mode/)
    expect(validateRequest({...base, reconcileAssociations: 'off'}).reconcile).toEqual({mode: 'off'})
    expect(() => validateRequest({...base, reconcileAssociations: 'often'})).toThrow(/--reconcile-associations "often"/)
    expect(() => validateRequest({...base, batchSize: 101})).toThrow(/1\.\.100/)
    expect(validateRequest({...base, target: 'associations', batchSize: 1000}).batchSize).toBe(1000)
    expect(() => validateRequest({...base, full: true, since: '2026-01-01'})).toThrow(/cannot be combined/)
    expect(parseRateLimit('190/10s')).toEqual({max: 190, intervalMs: 10_000, unlimited: false})
    expect(parseRateLimit('none').unlimited).toBe(true)
    expect(() => parseRateLimit('fast')).toThrow(UsageError)
  })
})

describe('one --rate-limit grammar for sync, portal record and serve', () => {
  it('accepts and refuses the same forms everywhere', async () => {
    const {parseRateLimit: recorderRate} = await import('../../src/portal/recorder-command.js')
    const {parseRate: emulatorRate} = await import('../../src/emulator/rate-limit.js')
    for (const good of ['100/10s', '5/s', '190/10000ms', '10/m', '1/h', ' 20 / 1s ']) {
      const sync = parseRateLimit(good)
      expect(recorderRate(good)).toEqual(sync)
      expect(emulatorRate(good, '--rate-limit')).toEqual({max: sync.max, intervalMs: sync.intervalMs})
    }
    for (const bad of ['fast', '0/10s', '10/0s', '10/10', '-1/s', '1e3/s']) {
      expect(() => parseRateLimit(bad)).toThrow(/is not a rate: expected COUNT\/INTERVAL/)
      expect(() => recorderRate(bad)).toThrow(/is not a rate: expected COUNT\/INTERVAL/)
      expect(() => emulatorRate(bad, '--rate-limit')).toThrow(/is not a rate: expected COUNT\/INTERVAL/)
    }
  })
})
