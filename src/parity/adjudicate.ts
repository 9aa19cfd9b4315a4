/**
 * Live adjudication (`parity diff --adjudicate`): instead of a recorded portal snapshot, read only the
 * disputed records (those with an unexplained difference after a first, source-less pass) and their
 * association sets from the portal, through the HubSpot connector's client and so the shared rate
 * budget, and stage them as the source side of the three-way attribution.
 *
 * The disputed keys are spooled to a file beside the staging database (one per entity), never held
 * in memory; they are read back and fetched in chunks of 1,000.
 */
import {appendFileSync, createReadStream, existsSync} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'
import type {ApiClient} from '../core/http-types.js'
import {parseRateLimit} from '../core/rate-spec.js'
import type {AssociationRow, CrmRecord} from '../core/records.js'
import {batchReadEdges, batchReadRecords, countingClient, objectTypes} from '../connectors/hubspot/batch-read.js'
import {hubspotConnector} from '../connectors/hubspot/connector.js'
import type {Adjudication} from '../reports/report-types.js'
import type {Mapping} from './mapping/schema.js'
import {stageSource, type Staging} from './staging.js'

/** How to reach the portal: as `crmsync sync` takes it (token from HUBSPOT_ACCESS_TOKEN or the config file, never a flag). */
export interface AdjudicateOptions {
  baseUrl?: string
  config?: string
  apiVersion?: string
  rateLimit?: string
  sharedBudget?: string
}

/** The client adjudication reads through; made before anything is staged, so a missing token fails first (exit 2). */
export function adjudicationClient(opts: AdjudicateOptions): ApiClient {
  const config = hubspotConnector.configure({
    baseUrl: opts.baseUrl,
    config: opts.config,
    apiVersion: opts.apiVersion,
    rateLimit: opts.rateLimit ? parseRateLimit(opts.rateLimit) : undefined,
    sharedBudget: opts.sharedBudget,
    customObjects: [],
  })
  return hubspotConnector.createClient(config)
}

/** Disputed keys per entity, appended to files in `dir` in batches. */
export class DisputedSpool {
  private readonly buffers = new Map<string, string[]>()
  readonly counts = new Map<string, number>()
  constructor(private readonly dir: string) {}

  file(entity: string): string {
    return join(this.dir, `disputed-${[...this.counts.keys()].indexOf(entity)}.txt`)
  }

  add(entity: string, key: string): void {
    if (!this.counts.has(entity)) this.counts.set(entity, 0)
    this.counts.set(entity, (this.counts.get(entity) ?? 0) + 1)
    const b = this.buffers.get(entity) ?? []
    b.push(key)
    this.buffers.set(entity, b)
    if (b.length >= 1000) this.flushEntity(entity)
  }

  flush(): void {
    for (const e of this.buffers.keys()) this.flushEntity(e)
  }

  private flushEntity(entity: string): void {
    const b = this.buffers.get(entity) ?? []
    if (b.length > 0) appendFileSync(this.file(entity), `${b.join('\n')}\n`)
    this.buffers.set(entity, [])
  }

  /** The spooled keys of `entity` in chunks of `size`. */
  async *chunks(entity: string, size: number): AsyncGenerator<string[]> {
    const f = this.file(entity)
    if (!existsSync(f)) return
    let chunk: string[] = []
    for await (const line of createInterface({input: createReadStream(f, 'utf8'), crlfDelay: Infinity})) {
      if (line === '') continue
      chunk.push(line)
      if (chunk.length >= size) {
        yield chunk
        chunk = []
      }
    }
    if (chunk.length > 0) yield chunk
  }
}

const CHUNK = 1000

/** Fetch the spooled records and their association sets and stage them as the source side; returns what it cost. */
export async function adjudicate(st: Staging, mapping: Mapping, spool: DisputedSpool, client: ApiClient, now = new Date()): Promise<Adjudication> {
  const counted = countingClient(client)
  const typeOf = objectTypes(counted)
  const readAt = now.toISOString()
  let objects = 0
  let associations = 0
  let found = 0
  for (const [entity, n] of spool.counts) {
    if (n === 0) continue
    const em = mapping.entities[entity]
    const properties = [...new Set([...Object.values(em.fields).map((f) => f.property), ...(em.modifiedProperty ? [em.modifiedProperty] : [])])]
    const type = await typeOf(entity)
    const targets = [...new Set(Object.values(em.relations).map((r) => r.target))]
    for await (const ids of spool.chunks(entity, CHUNK)) {
      const before = counted.made
      const records = await batchReadRecords(counted, type, ids, properties)
      objects += counted.made - before
      found += records.length
      const edges: AssociationRow[] = []
      for (const target of targets) {
        const toType = await typeOf(target)
        const b = counted.made
        edges.push(...(await batchReadEdges(counted, {fromType: type, toType, fromEntity: entity, toEntity: target}, ids)))
        associations += counted.made - b
      }
      await stageSource(st, chunkSource(entity, records, edges), mapping)
    }
  }
  const disputed = Object.fromEntries([...spool.counts].filter(([, n]) => n > 0))
  return {readAt, disputed, found, requests: {objects, associations, total: counted.made}}
}

/** One fetched chunk as the SourceSnapshot `stageSource` copies. */
function chunkSource(entity: string, records: CrmRecord[], edges: AssociationRow[]): Parameters<typeof stageSource>[1] {
  return {
    async *records(e: string) {
      if (e === entity) yield* records
    },
    async *associations() {
      yield* edges
    },
  }
}
