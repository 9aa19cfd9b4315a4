/**
 * The staging database: a temporary SQLite file into which every side of a comparison is copied
 * (legacy snapshot, its noise baseline, the crmsync store, the source portal snapshot) so that the
 * differ can read each side sorted by key with plain SQL, never holding a side in memory.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import {UsageError} from '../core/errors.js'
import {cleanupOnInterrupt, sweepStale} from '../core/temp-cleanup.js'
import {ASSOCIATION_PAIRS} from '../connectors/hubspot/objects.js'
import type {AssociationRow, CrmRecord} from '../core/records.js'
import type {AssociationEdge, StoredRecordRow, StoreReader} from '../core/store-port.js'
import {didYouMean} from './did-you-mean.js'
import type {EntityMapping, Mapping} from './mapping/schema.js'
import {parseInstant} from './normalizers.js'
import {hasOwn} from './own.js'
import {describeValue, keyText} from './readers/key-text.js'
import type {LegacyRecord, LegacySource, TableSpec} from './readers/types.js'

/** Sides of the staging tables. */
export const SIDE = {legacy: 0, baseline: 1} as const
export type RecSide = 'new' | 'src'

/** A temp staging database; `close()` removes it. */
export interface Staging {
  path: string
  db: Database.Database
  close(): void
}

/** Temp folders of parity diffs and parity runs: `crmsync-parity-<pid>-*`, `crmsync-parity-run-<pid>-*`. */
export const PARITY_TEMP = /^crmsync-parity-(?:run-)?(\d+)-/

/**
 * Create an empty staging database in a fresh temp folder named with this process's pid. Folders
 * left by dead processes are removed first; Ctrl-C / SIGTERM removes this one (exit 130 / 143).
 */
export function createStaging(): Staging {
  sweepStale(tmpdir(), PARITY_TEMP)
  const dir = mkdtempSync(join(tmpdir(), `crmsync-parity-${process.pid}-`))
  const path = join(dir, 'staging.db')
  const remove = (): void => {
    try {
      if (db.open) db.close()
    } catch {
      // a statement mid-iteration: the file goes anyway
    }
    if (existsSync(dir)) rmSync(dir, {recursive: true, force: true})
  }
  const undo = cleanupOnInterrupt(remove)
  const db = new Database(path)
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -16384')
  db.exec(`
    CREATE TABLE lrow (side INTEGER NOT NULL, model TEXT NOT NULL, pk TEXT NOT NULL, key TEXT, fields TEXT NOT NULL);
    CREATE TABLE lm2m (side INTEGER NOT NULL, model TEXT NOT NULL, field TEXT NOT NULL, pk TEXT NOT NULL, target TEXT NOT NULL);
    CREATE TABLE rec (side TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL, props TEXT NOT NULL, created_at TEXT, updated_at TEXT, archived INTEGER NOT NULL DEFAULT 0, archived_at TEXT);
    CREATE TABLE assoc (side TEXT NOT NULL, from_entity TEXT NOT NULL, from_id TEXT NOT NULL, to_entity TEXT NOT NULL, to_id TEXT NOT NULL);
  `)
  return {
    path,
    db,
    close() {
      undo()
      remove()
    },
  }
}

/** The tables a table-oriented reader must read for this mapping. */
export function tableSpecs(mapping: Mapping): TableSpec[] {
  return Object.values(mapping.entities).map((em) => ({
    model: em.model,
    table: em.table,
    m2m: Object.values(em.relations)
      .filter((r) => r.kind === 'm2m')
      .map((r) => ({
        field: r.field,
        table: r.through?.table ?? `${em.table}_${r.field}`,
        sourceColumn: r.through?.sourceColumn ?? `${em.model.split('.')[1]}_id`,
        targetColumn: r.through?.targetColumn ?? `${mapping.entities[r.target]?.model.split('.')[1] ?? r.target}_id`,
      })),
  }))
}

export interface LegacyStageResult {
  rows: number
  /** max of the mapping's `legacy.syncedAtField` over every row (epoch ms), NaN if none */
  maxSyncedAt: number
  errors: Array<{entity?: string; message: string}>
  errorCount: number
  /** rows per model the mapping does not name (not staged); ignored models included */
  unmapped: Map<string, number>
}

/** Copy a legacy snapshot into the staging database as `side`; an unmapped model is counted, or refused when `strictModels`. */
export async function stageLegacy(st: Staging, source: LegacySource, mapping: Mapping, side: number, strictModels = false): Promise<LegacyStageResult> {
  const byModel = new Map(
    Object.entries(mapping.entities).map(([entity, em]) => [
      em.model,
      {
        entity,
        em,
        m2m: new Set(
          Object.values(em.relations)
            .filter((r) => r.kind === 'm2m')
            .map((r) => r.field),
        ),
        seen: false,
      },
    ]),
  )
  const ignored = new Set(mapping.legacy.ignoreModels)
  const syncedAtField = mapping.legacy.syncedAtField
  const insRow = st.db.prepare('INSERT INTO lrow (side, model, pk, key, fields) VALUES (?, ?, ?, ?, ?)')
  const insEdge = st.db.prepare('INSERT INTO lm2m (side, model, field, pk, target) VALUES (?, ?, ?, ?, ?)')
  const res: LegacyStageResult = {rows: 0, maxSyncedAt: NaN, errors: [], errorCount: 0, unmapped: new Map()}
  const what = side === SIDE.legacy ? 'legacy snapshot' : 'noise baseline'
  const rowError = (entity: string, message: string): void => {
    res.errorCount++
    if (res.errors.length < 50) res.errors.push({entity, message})
  }
  const write = st.db.transaction((batch: LegacyRecord[]) => {
    for (const r of batch) {
      const m = byModel.get(r.model)
      if (!m) {
        if (!strictModels || ignored.has(r.model)) {
          res.unmapped.set(r.model, (res.unmapped.get(r.model) ?? 0) + 1)
          continue
        }
        const hint = didYouMean(r.model, [...byModel.keys()])
        throw new UsageError(
          `${what} ${source.describe} has model "${r.model}", which the mapping does not know${hint ? ` (did you mean "${hint}"?)` : ''}`,
          `map it under entities.<entity>.model, list it in legacy.ignoreModels, or drop --strict-models (legacy.strictModels); mapped models: ${[...byModel.keys()].join(', ')}`,
          'UNKNOWN_MODEL',
        )
      }
      // a null-prototype copy: "__proto__", "constructor" are field names like any other
      const fields = Object.create(null) as Record<string, unknown>
      const edges: string[][] = []
      let bad: string | undefined
      for (const k of Object.keys(r.fields)) {
        const v = r.fields[k]
        if (!m.m2m.has(k)) {
          fields[k] = v
          continue
        }
        const targets = Array.isArray(v) ? v.map(keyText) : undefined
        if (!targets || targets.some((t) => t === undefined)) {
          bad ??= `field "${k}" should be a list of pks (many-to-many; is relations.<name>.kind right?) but is ${Array.isArray(v) ? `a list holding ${describeValue(v[targets!.indexOf(undefined)])}` : describeValue(v)}`
          continue
        }
        for (const t of targets as string[]) edges.push([k, t])
      }
      if (!r.m2mOnly) res.rows++
      if (bad) {
        rowError(m.entity, `${what}: ${r.model} pk ${r.pk} ${bad}; the row cannot be compared`)
        continue
      }
      for (const [k, t] of edges) insEdge.run(side, r.model, k, r.pk, t)
      if (r.m2mOnly) continue
      const keyField = m.em.key.legacy
      if (!hasOwn(fields, keyField)) {
        throw new UsageError(
          `${what} ${source.describe}: ${r.model} has no key column "${keyField}" (pk ${r.pk})`,
          `set entities.${m.entity}.key.legacy in the mapping to the column holding the HubSpot record id`,
          'MISSING_KEY',
        )
      }
      if (!m.seen) {
        m.seen = true
        checkColumns(m.entity, m.em, fields, `${what} ${source.describe}: ${r.model}`)
      }
      const raw = fields[keyField]
      const key = raw === null || raw === undefined ? '' : keyText(raw)
      if (key === undefined) {
        rowError(m.entity, `${what}: ${r.model} pk ${r.pk} has ${describeValue(raw)} as ${keyField}, not a record id; the row cannot be compared`)
        continue
      }
      if (key.trim() === '') {
        rowError(m.entity, `${what}: ${r.model} pk ${r.pk} has an empty ${keyField}; the row cannot be compared`)
        continue
      }
      if (syncedAtField && side === SIDE.legacy) {
        const v = fields[syncedAtField]
        const t = typeof v === 'string' ? parseInstant(v) : NaN
        if (!Number.isNaN(t) && !(t <= res.maxSyncedAt)) res.maxSyncedAt = t
      }
      insRow.run(side, r.model, r.pk, key, JSON.stringify(fields))
    }
  })
  for await (const batch of source.batches(tableSpecs(mapping))) write(batch)
  return res
}

/**
 * The same legacy (model, pk) more than once (two dumps concatenated, a table read twice): one row
 * error each, added to `res`. Run after indexStaging, which makes it one index scan.
 */
export function addDuplicatePkErrors(st: Staging, mapping: Mapping, side: number, res: LegacyStageResult): void {
  const entityOf = new Map(Object.entries(mapping.entities).map(([entity, em]) => [em.model, entity]))
  const what = side === SIDE.legacy ? 'legacy snapshot' : 'noise baseline'
  const dups = st.db.prepare('SELECT model, pk, COUNT(*) AS n FROM lrow WHERE side = ? GROUP BY model, pk HAVING COUNT(*) > 1 ORDER BY model, pk')
  for (const d of dups.iterate(side) as IterableIterator<{model: string; pk: string; n: number}>) {
    res.errorCount++
    if (res.errors.length < 50)
      res.errors.push({
        entity: entityOf.get(d.model) ?? d.model,
        message: `${what}: ${d.model} pk ${d.pk} occurs ${d.n} times; each legacy row must occur once (is the export concatenated or a table read twice?)`,
      })
  }
}

/** The first row of a model must carry every mapped field and FK column; else the mapping or the export is wrong. */
function checkColumns(entity: string, em: EntityMapping, fields: Record<string, unknown>, where: string): void {
  const have = Object.keys(fields)
  const need = [
    ...Object.keys(em.fields).map((f) => [f, `entities.${entity}.fields.${f}`]),
    ...Object.entries(em.relations)
      .filter(([, r]) => r.kind === 'fk')
      .map(([n, r]) => [r.field, `entities.${entity}.relations.${n}`, r.column ?? `${r.field}_id`]),
  ]
  for (const [f, path, alt] of need) {
    if (hasOwn(fields, f) || (alt !== undefined && hasOwn(fields, alt))) continue
    const hint = didYouMean(f, have)
    throw new UsageError(
      `${where} has no field "${f}" (mapped at ${path})${hint ? `; did you mean "${hint}"?` : ''}`,
      `fix the mapping to name a column the legacy table has (it has: ${have.join(', ')})`,
      'MISSING_COLUMN',
    )
  }
}

/** Records copied per staging transaction. */
const STAGE_BATCH = 2000

/**
 * Copy the crmsync store's records and associations of the mapped entities into staging, through
 * the store's read port (so any store implementation can be diffed). Properties are copied as the
 * JSON text the store holds, unparsed; edges once per from→to pair (their types are not compared).
 */
export async function stageStore(st: Staging, store: StoreReader, mapping: Mapping): Promise<{rows: number; missingEntities: string[]}> {
  const have = new Set(await store.entities())
  const ins = st.db.prepare("INSERT INTO rec (side, entity, key, props, created_at, updated_at, archived, archived_at) VALUES ('new', ?, ?, ?, ?, ?, ?, ?)")
  const insA = st.db.prepare("INSERT INTO assoc (side, from_entity, from_id, to_entity, to_id) VALUES ('new', ?, ?, ?, ?)")
  const flushRows = st.db.transaction((entity: string, batch: StoredRecordRow[]) => {
    for (const r of batch) ins.run(entity, r.id, r.properties, r.created_at, r.updated_at, r.archived, r.archived_at)
  })
  const flushEdges = st.db.transaction((batch: AssociationEdge[]) => {
    for (const e of batch) insA.run(e.fromEntity, e.fromId, e.toEntity, e.toId)
  })
  let rows = 0
  const missingEntities: string[] = []
  for (const entity of Object.keys(mapping.entities)) {
    if (!have.has(entity)) {
      missingEntities.push(entity)
      continue
    }
    let batch: StoredRecordRow[] = []
    for await (const r of store.rawRecords(entity)) {
      batch.push(r)
      if (batch.length >= STAGE_BATCH) {
        flushRows(entity, batch)
        rows += batch.length
        batch = []
      }
    }
    flushRows(entity, batch)
    rows += batch.length
  }
  if (missingEntities.length === Object.keys(mapping.entities).length) {
    throw new UsageError(
      `${store.location} holds none of the mapped entities (${missingEntities.join(', ')}); it is not a crmsync store or the sync has not run`,
      'pass the store `crmsync sync all` wrote with --db',
    )
  }
  // edges come ordered by (from, to, type): the types of one pair are adjacent
  let edges: AssociationEdge[] = []
  let prev: AssociationEdge | null = null
  for await (const e of store.associations()) {
    if (prev && prev.fromEntity === e.fromEntity && prev.fromId === e.fromId && prev.toEntity === e.toEntity && prev.toId === e.toId) continue
    prev = e
    edges.push(e)
    if (edges.length >= STAGE_BATCH) {
      flushEdges(edges)
      edges = []
    }
  }
  flushEdges(edges)
  return {rows, missingEntities}
}

/** What the differ needs of a portal snapshot (src/portal/snapshot.ts `openPortal`). */
export interface SourceSnapshot {
  records(entity: string, opts?: {archived?: 'include' | 'only' | 'exclude'}): AsyncIterable<CrmRecord>
  associations(): AsyncIterable<AssociationRow>
}

/** Copy the source portal snapshot's records (live and archived) and associations into staging. */
export async function stageSource(st: Staging, portal: SourceSnapshot, mapping: Mapping): Promise<number> {
  const ins = st.db.prepare("INSERT INTO rec (side, entity, key, props, created_at, updated_at, archived, archived_at) VALUES ('src', ?, ?, ?, ?, ?, ?, ?)")
  const insA = st.db.prepare("INSERT INTO assoc (side, from_entity, from_id, to_entity, to_id) VALUES ('src', ?, ?, ?, ?)")
  let n = 0
  for (const entity of Object.keys(mapping.entities)) {
    let batch: CrmRecord[] = []
    const flush = st.db.transaction((b: CrmRecord[]) => {
      for (const r of b) ins.run(entity, r.id, JSON.stringify(r.properties), r.createdAt ?? null, r.updatedAt ?? null, r.archived ? 1 : 0, r.archivedAt ?? null)
    })
    for await (const r of portal.records(entity, {archived: 'include'})) {
      batch.push(r)
      n++
      if (batch.length >= 2000) {
        flush(batch)
        batch = []
      }
    }
    flush(batch)
  }
  const wanted = new Set(ASSOCIATION_PAIRS.map(([a, b]) => `${a}>${b}`))
  let rows: AssociationRow[] = []
  const flushA = st.db.transaction((b: AssociationRow[]) => {
    for (const a of b) insA.run(a.fromType, a.fromId, a.toType, a.toId)
  })
  for await (const a of portal.associations()) {
    if (!wanted.has(`${a.fromType}>${a.toType}`) && !wanted.has(`${a.toType}>${a.fromType}`)) continue
    rows.push(a)
    if (rows.length >= 5000) {
      flushA(rows)
      rows = []
    }
  }
  flushA(rows)
  return n
}

/** Build the indexes the differ's sorted reads and lookups need (after every side is staged). */
export function indexStaging(st: Staging): void {
  st.db.exec(`
    CREATE INDEX lrow_key ON lrow (side, model, key);
    CREATE INDEX lrow_pk ON lrow (side, model, pk);
    CREATE INDEX lm2m_pk ON lm2m (side, model, field, pk);
    CREATE INDEX rec_key ON rec (side, entity, key);
    CREATE INDEX assoc_from ON assoc (side, from_entity, to_entity, from_id);
    CREATE INDEX assoc_to ON assoc (side, to_entity, from_entity, to_id);
  `)
}
