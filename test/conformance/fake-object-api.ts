import type {CrmRecord} from '../../src/core/records.js'
/**
 * An in-memory ObjectApi for engine unit tests: list pages by id order, keyset search by
 * (modified, id) with HubSpot's semantics (no archived records, 10,000-result cap on `after`).
 */
import type {KeysetPosition, ObjectApi, RawPage} from '../../src/core/connector.js'
import {compareKeys} from '../../src/core/checkpoint.js'
import {compareIds} from '../../src/core/ids.js'

export type FakeRecord = CrmRecord

export class FakeObjectApi implements ObjectApi {
  readonly records = new Map<string, FakeRecord | Record<string, unknown>>()
  calls = {list: 0, search: 0}
  /** throw on the n-th call (1-based) counted over list+search */
  failOnCall: number | null = null
  private n = 0

  constructor(readonly modifiedProperty = 'hs_lastmodifieddate') {}

  put(rec: FakeRecord | Record<string, unknown>): void {
    this.records.set(String((rec as {id: string}).id), rec)
  }

  private sorted(): FakeRecord[] {
    return ([...this.records.values()] as FakeRecord[]).sort((a, b) => compareIds(a.id, b.id))
  }

  private tick(): void {
    this.n++
    if (this.failOnCall !== null && this.n === this.failOnCall) throw new Error(`injected failure on call ${this.n}`)
  }

  async listPage(opts: {after: string | null; limit: number; archived: boolean; properties: string[]}): Promise<RawPage> {
    this.tick()
    this.calls.list++
    const all = this.sorted().filter((r) => (r.archived === true) === opts.archived)
    const start = opts.after ? Number(opts.after) : 0
    const results = all.slice(start, start + opts.limit).map((r) => structuredClone(r))
    const end = start + results.length
    return {results, after: end < all.length ? String(end) : null, serverTime: Date.parse('2030-01-01T00:00:00Z')}
  }

  async searchPage(opts: {from: KeysetPosition; limit: number; properties: string[]}): Promise<RawPage> {
    this.tick()
    this.calls.search++
    const key = (r: FakeRecord): KeysetPosition => ({ts: Number(r.properties[this.modifiedProperty] ?? Date.parse(r.updatedAt)), id: r.id})
    const all = ([...this.records.values()] as FakeRecord[])
      .filter((r) => r.archived !== true && r.properties && typeof r.id === 'string')
      .filter((r) => (opts.from.id === null ? key(r).ts >= opts.from.ts : compareKeys(key(r), opts.from) > 0))
      .sort((a, b) => compareKeys(key(a), key(b)))
    return {results: all.slice(0, opts.limit).map((r) => structuredClone(r)), after: null}
  }
}

/** A record with modified time `ts` (epoch ms) and a few properties. */
export function rec(id: string, ts: number, extra: Partial<FakeRecord> = {}, props: Record<string, string | null> = {}): FakeRecord {
  const iso = new Date(ts).toISOString()
  return {id, properties: {name: `n${id}`, hs_lastmodifieddate: String(ts), ...props}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: iso, archived: false, ...extra}
}
