/**
 * The upsert phase of one table: the store's changed live records, in batches, become the mapped
 * rows (fields through toLegacyValue, foreign keys resolved to the target's primary keys) and the
 * through-table rows of their many-to-many relations. Existing rows keep their primary key; a row
 * or edge already equal is not written. One target transaction per batch, a few statements each
 * whatever its size (every list is bound as one parameter: target.inList / target.rowSource).
 */
import type {ChangedRecordRow} from '../../core/store-port.js'
import {propertyValue} from '../record-compare.js'
import {HEAP_CEILING_MB, inBatch, pause, type PublishContext, type TableCounts} from './context.js'
import {boundHeap} from './heap-bound.js'
import {pksOf} from './keys.js'
import {sameValue, toLegacyValue} from './legacy-value.js'
import type {M2mPlan, TablePlan} from './plan.js'
import {qi, type ColumnInfo, type TargetTx} from './target.js'

interface Desired {
  id: string
  /** the existing row's pk (updates) */
  pk: string | null
  values: Array<string | null>
}

/** Publish every changed live record of `plan.entity` after `sinceSeq` (-1: all). */
export async function upsertEntity(ctx: PublishContext, plan: TablePlan, sinceSeq: number): Promise<void> {
  // a table without any row (a first publish into a fresh schema): no batch has an existing row to read
  if ((await ctx.target.query(`SELECT 1 AS one FROM ${ctx.target.ref(plan.table)} LIMIT 1`)).length === 0) ctx.startedEmpty.add(plan.table)
  let batch: ChangedRecordRow[] = []
  for await (const row of ctx.store.changedRecords(plan.entity, sinceSeq, plan.related)) {
    if (row.archived === 1 || row.merged_into !== null) continue
    batch.push(row)
    if (batch.length >= ctx.batchSize) {
      await upsertBatch(ctx, plan, batch)
      batch = []
      boundHeap(HEAP_CEILING_MB)
    }
  }
  if (batch.length > 0) await upsertBatch(ctx, plan, batch)
}

/** The written columns after the key: fields, foreign keys, the soft-delete flag. */
function columnsOf(plan: TablePlan): ColumnInfo[] {
  return [...plan.fields.map((f) => f.column), ...plan.fks.map((f) => f.column), ...(plan.softDelete ? [plan.softDelete] : [])]
}

/** Is `entity` the target of another table's foreign key or through table (then its new rows' pks are looked up later)? */
const referenced = (ctx: PublishContext, entity: string): boolean => [...ctx.plans.values()].some((p) => p.related.includes(entity))

/**
 * One batch, set-wise: one statement per related table resolving foreign keys, one reading the
 * batch's existing rows, at most one INSERT (or append) and one UPDATE for the rows that differ, and per through
 * table one read, at most one DELETE and one append. A batch into a table that started empty (a
 * first publish) reads nothing and appends its rows (PostgreSQL: one COPY).
 */
async function upsertBatch(ctx: PublishContext, plan: TablePlan, rows: ChangedRecordRow[]): Promise<void> {
  const counts = ctx.tables.get(plan.table)!
  const ids = rows.map((r) => r.id)
  const related = new Map<string, Map<string, string[]>>()
  for (const t of plan.related) related.set(t, await ctx.store.relatedIds(plan.entity, ids, t))
  const cols = columnsOf(plan)
  await inBatch(ctx, async (tx) => {
    const relPks = new Map<string, Map<string, string>>()
    for (const t of plan.related) relPks.set(t, await pksOf(ctx, tx, t, [...related.get(t)!.values()].flat()))
    const existing = ctx.startedEmpty.has(plan.table) ? new Map<string, {pk: string; row: Record<string, unknown>}>() : await currentRows(ctx, tx, plan, cols, ids)
    const inserts: Desired[] = []
    const updates: Desired[] = []
    for (const r of rows) {
      const d = desiredRow(plan, r, related, relPks, counts)
      const have = existing.get(d.id)
      if (!have) inserts.push(d)
      else if (cols.every((c, i) => sameValue(c.family, have.row[c.name], d.values[i]))) counts.unchanged++
      else updates.push({...d, pk: have.pk})
    }
    counts.inserted += inserts.length
    counts.updated += updates.length
    const pks = new Map([...existing].map(([k, v]) => [k, v.pk]))
    if (ctx.dry) {
      for (const [k, pk] of await ctx.dry.insert(
        tx,
        plan.table,
        inserts.map((d) => d.id),
        referenced(ctx, plan.entity),
      ))
        pks.set(k, pk)
    } else {
      if (inserts.length > 0) for (const [k, pk] of await insertRows(ctx, tx, plan, cols, inserts)) pks.set(k, pk)
      if (updates.length > 0) await updateRows(ctx, tx, plan, cols, updates)
    }
    for (const m of plan.m2m) await syncThrough(ctx, tx, m, ids, pks, related.get(m.target)!, relPks.get(m.target)!, !ctx.startedEmpty.has(plan.table))
    await pause(ctx.delayMs)
  })
}

function desiredRow(plan: TablePlan, r: ChangedRecordRow, related: Map<string, Map<string, string[]>>, relPks: Map<string, Map<string, string>>, counts: TableCounts): Desired {
  const rec = {key: r.id, props: JSON.parse(r.properties) as Record<string, string | null>, createdAt: r.created_at, updatedAt: r.updated_at, archived: false, archivedAt: null, rels: []}
  const values: Array<string | null> = []
  for (const f of plan.fields) {
    const {value, rejected} = toLegacyValue(f.cmp, f.column, propertyValue(rec, f.property))
    if (rejected) counts.rejectedValues++
    values.push(value)
  }
  for (const fk of plan.fks) {
    const first = related.get(fk.target)!.get(r.id)?.[0] // sorted in id order: the first the API returns
    values.push(first === undefined ? null : (relPks.get(fk.target)!.get(first) ?? null))
  }
  if (plan.softDelete) values.push(plan.softDelete.family === 'boolean' ? 'false' : null) // a live record: restored if it was archived
  return {id: r.id, pk: null, values}
}

/** The batch's rows the table holds already, by key: one statement. */
async function currentRows(ctx: PublishContext, tx: TargetTx, plan: TablePlan, cols: ColumnInfo[], ids: string[]): Promise<Map<string, {pk: string; row: Record<string, unknown>}>> {
  const out = new Map<string, {pk: string; row: Record<string, unknown>}>()
  const select = [`${qi(plan.pk)} AS "crmsync pk"`, `${qi(plan.key)} AS "crmsync key"`, ...cols.map((c) => qi(c.name))].join(', ')
  const where = ctx.target.inList(qi(plan.key), 'text', ids)
  for (const row of await tx.query(`SELECT ${select} FROM ${ctx.target.ref(plan.table)} WHERE ${where.sql}`, where.params)) {
    out.set(String(row['crmsync key']), {pk: String(row['crmsync pk']), row})
  }
  return out
}

/** The values of `rows` as row-source rows: the lead column, then every written column, then the synced-at time. */
function sourceRows(ctx: PublishContext, plan: TablePlan, cols: ColumnInfo[], rows: Desired[], lead: (d: Desired) => string): unknown[][] {
  const synced = plan.syncedAt ? ctx.target.param(plan.syncedAt.family, ctx.now) : undefined
  return rows.map((d) => {
    const out: unknown[] = [lead(d)]
    cols.forEach((c, i) => out.push(ctx.target.param(c.family, d.values[i])))
    if (plan.syncedAt) out.push(synced)
    return out
  })
}

/**
 * The new rows: they get the table's own pk. When a through table of this entity needs their pks,
 * one INSERT ... SELECT from a row source ... RETURNING them (ON CONFLICT keeps the upsert should a
 * row with one of the keys have appeared since the batch read them); otherwise they are appended
 * (PostgreSQL: one COPY), the fast path of a first publish.
 */
async function insertRows(ctx: PublishContext, tx: TargetTx, plan: TablePlan, cols: ColumnInfo[], rows: Desired[]): Promise<Map<string, string>> {
  const written = [...cols, ...(plan.syncedAt ? [plan.syncedAt] : [])]
  const names = [plan.key, ...written.map((c) => c.name)]
  const source = sourceRows(ctx, plan, cols, rows, (d) => d.id)
  const pks = new Map<string, string>()
  if (plan.m2m.length === 0) {
    await tx.append(plan.table, [{name: plan.key, family: 'text'}, ...written], source)
    return pks
  }
  const src = ctx.target.rowSource('v', [{family: 'text'}, ...written], source)
  const update = names
    .slice(1)
    .map((n) => `${qi(n)} = excluded.${qi(n)}`)
    .join(', ')
  const sql = `INSERT INTO ${ctx.target.ref(plan.table)} (${names.map(qi).join(', ')}) SELECT ${names.map((_, i) => `v.c${i}`).join(', ')} FROM ${src.sql} WHERE true ON CONFLICT (${qi(plan.key)}) DO UPDATE SET ${update} RETURNING ${qi(plan.pk)} AS pk, ${qi(plan.key)} AS k`
  for (const r of await tx.query(sql, src.params)) pks.set(String(r.k), String(r.pk))
  return pks
}

/** The changed existing rows, as one UPDATE ... FROM a row source keyed by their pk (which they keep). */
async function updateRows(ctx: PublishContext, tx: TargetTx, plan: TablePlan, cols: ColumnInfo[], rows: Desired[]): Promise<void> {
  const written = [...cols, ...(plan.syncedAt ? [plan.syncedAt] : [])]
  const src = ctx.target.rowSource(
    'v',
    [{family: 'integer'}, ...written],
    sourceRows(ctx, plan, cols, rows, (d) => d.pk!),
  )
  const set = written.map((c, i) => `${qi(c.name)} = v.c${i + 1}`).join(', ')
  await tx.query(`UPDATE ${ctx.target.ref(plan.table)} AS x SET ${set} FROM ${src.sql} WHERE x.${qi(plan.pk)} = v.c0`, src.params)
}

/** Make the through rows of these records equal to their edge sets: one read, at most one DELETE of the extra and one INSERT of the missing. */
async function syncThrough(
  ctx: PublishContext,
  tx: TargetTx,
  m: M2mPlan,
  ids: string[],
  pks: Map<string, string>,
  related: Map<string, string[]>,
  relPks: Map<string, string>,
  /** false when every source row is new (its table started empty): no through row can point at it yet */
  read: boolean,
): Promise<void> {
  const counts = ctx.through.get(m.table)!
  const ref = ctx.target.ref(m.table)
  const s = qi(m.sourceColumn)
  const t = qi(m.targetColumn)
  const own = ids.map((id) => pks.get(id)).filter((p): p is string => p !== undefined)
  let have = new Set<string>()
  if (read && own.length > 0) {
    const where = ctx.target.inList(s, 'integer', own)
    for (const r of await tx.query(`SELECT ${s} AS s, ${t} AS t FROM ${ref} WHERE ${where.sql}`, where.params)) have.add(`${r.s} ${r.t}`)
  }
  if (ctx.dry) have = await ctx.dry.pairs(m.table, 0, own, have)
  const missing: Array<[string, string]> = []
  for (const id of ids) {
    const source = pks.get(id)
    if (source === undefined) continue
    for (const other of related.get(id) ?? []) {
      const target = relPks.get(other)
      if (target === undefined) continue // the other record is not in the target (yet)
      if (!have.delete(`${source} ${target}`)) missing.push([source, target])
    }
  }
  counts.inserted += missing.length
  counts.deleted += have.size
  if (ctx.dry) return ctx.dry.change(tx, m.table, missing, have)
  const pair = [{family: 'integer'}, {family: 'integer'}] as const
  if (have.size > 0) {
    const extra = ctx.target.rowSource(
      'v',
      [...pair],
      [...have].map((p) => p.split(' ')),
    )
    await tx.query(`DELETE FROM ${ref} WHERE (${s}, ${t}) IN (SELECT v.c0, v.c1 FROM ${extra.sql})`, extra.params)
  }
  await tx.append(
    m.table,
    [
      {name: m.sourceColumn, family: 'integer'},
      {name: m.targetColumn, family: 'integer'},
    ],
    missing,
  )
}
