/** Conformance: every registered connector honours the Connector / StreamDef contract. */
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CONNECTORS} from '../../src/connectors/index.js'
import {runStream} from '../../src/core/engine.js'
import {openStore} from '../../src/store/open.js'
import {FIXTURES} from './fixtures.js'
import {tempDir} from './sync-harness.js'

for (const [name, connector] of Object.entries(CONNECTORS)) {
  describe(`connector ${name}`, () => {
    it('has a conformance fixture and a matching name', () => {
      expect(FIXTURES[name], `add a fixture for ${name} in test/conformance/fixtures.ts`).toBeDefined()
      expect(connector.name).toBe(name)
    })

    it('lists object streams then associations; toRecord is pure and rejects garbage; full then incremental sync works', async () => {
      const fx = await FIXTURES[name]()
      try {
        const client = connector.createClient(fx.config)
        expect(client.stats.requests).toBe(0)
        const streams = await connector.streams(client, fx.config)
        const kinds = streams.map((s) => s.kind)
        expect(kinds.lastIndexOf('object')).toBeLessThan(kinds.indexOf('associations'))
        expect(new Set(streams.map((s) => s.name)).size).toBe(streams.length)
        const db = join(tempDir(), 'conformance.db')
        const opts = {full: false, since: null, batchSize: null, lookbackMs: 60_000, tmpDir: join(tmpdir(), 'crmsync-conformance')}
        for (const s of streams) {
          if (s.kind !== 'object') continue
          expect(s.primaryKey).toBe('id')
          expect(s.properties).toContain(s.replicationKey)
          const defs = await s.describe()
          expect(defs.map((d) => d.name)).toEqual(s.properties)
          expect(() => s.toRecord({nonsense: true})).toThrow()
          expect(() => s.toRecord(null)).toThrow()
          const raw = {id: '12', properties: {[s.replicationKey]: '2026-01-01T00:00:00.000Z'}, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', archived: false}
          const frozen = JSON.stringify(raw)
          expect(s.toRecord(raw)).toEqual(s.toRecord(raw))
          expect(JSON.stringify(raw)).toBe(frozen)
        }
        const store = openStore(db)
        try {
          for (const s of streams) {
            const first = await runStream(s, {store, opts})
            expect(first.status).toBe('ok')
            if (s.kind === 'object') expect(first.counts.inserted).toBeGreaterThan(0)
          }
          for (const s of streams.filter((x) => x.kind === 'object')) {
            const again = await runStream(s, {store, opts})
            expect(again.searchRequests).toBeGreaterThanOrEqual(1)
            expect(again.counts.inserted + again.counts.updated).toBe(0)
          }
        } finally {
          store.close()
        }
      } finally {
        await fx.stop()
      }
    })
  })
}
