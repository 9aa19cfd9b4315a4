/**
 * The upsert phase of one table: the store's changed live records, in batches, become the mapped
 * rows (fields through toLegacyValue, foreign keys resolved to the target's primary keys) and the
 * through-table rows of their many-to-many relations. Existing rows keep their primary key; a row
 * or edge already equal is not written. One target transaction per batch.
 */
import type {ChangedRecordRow} from '../../core/store-port.js'
import {propertyValue} from '../record-compare.js'
import {chunks, inBatch, marks, pause, type PublishContext, type TableCounts} from './context.js'
import {pksOf} from './keys.js'
import {sameValue, toLegacyValue} from './legacy-value.js'
import type {TablePlan} from './plan.js'
import {qi, type ColumnFamily, type TargetTx} from './target.js'

interface Desired {
  id: string
  values: Array<string | null>
}

/** Publish every changed live record of `plan.entity` after `sinceSeq` (-1: all). */
export async function upsertEntity(ctx: PublishContext, plan: TablePlan, sinceSeq: number): Promise<void> {
  let batch: ChangedRecordRow[] = []
  for await (const row of ctx.store.changedRecords(plan.entity, sinceSeq, plan.related)) {
    if (row.archived === 1 || row.merged_into !== null) continue
    batch.push(row)
    if (batch.length >= ctx.batchSize) {
      await upsertBatch(ctx, plan, batch)
      batch = []
    }
  }
  if (batch.length > 0) await upsertBatch(ctx, plan, batch)
}

function columnsOf(plan: TablePlan): Array<{name: string; family: ColumnFamily}> {
  return [
    ...plan.fields.map((f) => ({name: f.column.name, family: f.column.family})),
    ...plan.fks.map((f) => ({name: f.column.name, family: 'integer' as ColumnFamily})),
    ...(plan.softDelete ? [{name: plan.softDelete.name, family: plan.softDelete.family}] : []),
  ]
}

async function upsertBatch(ctx: PublishContext, plan: TablePlan, rows: ChangedRecordRow[]): Promise<void> {
  const counts = ctx.tables.get(plan.table)!
  const ids = rows.map((r) => r.id)
  const related = new Map<string, Map<string, string[]>>()
  for (const t of plan.related) related.set(t, await ctx.store.relatedIds(plan.entity, ids, t))
  const cols = columnsOf(plan)
  await inBatch(ctx, async (tx) => {
    const relPks = new Map<string, Map<string, string>>()
    for (const t of plan.related) relPks.set(t, await pksOf(ctx, tx, t, [...related.get(t)!.values()].flat()))
    const desired = rows.map((r) => desiredRow(plan, r, related, relPks, counts))
    const existing = await currentRows(ctx, tx, plan, cols, ids)
    const changed = desired.filter((d) => {
      const have = existing.get(d.id)
      if (!have) {
        counts.inserted++
        return true
      }
      if (cols.every((c, i) => sameValue(c.family, have.row[c.name], d.values[i]))) {
        counts.unchanged++
        return false
      }
      counts.updated++
      return true
    })
    const pks = new Map([...existing].map(([k, v]) => [k, v.pk]))
    if (!ctx.dryRun && changed.length > 0) for (const [k, pk] of await writeRows(ctx, tx, plan, cols, changed)) pks.set(k, pk)
    for (const m of plan.m2m) await syncThrough(ctx, tx, plan, m, ids, pks, related.get(m.target)!, relPks.get(m.target)!)
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
  if (plan.softDelete) values.push(plan.softDelete.family === 'boolean' ? 'false' : null)
  return {id: r.id, values}
}

async function currentRows(ctx: PublishContext, tx: TargetTx, plan: TablePlan, cols: Array<{name: string}>, ids: string[]): Promise<Map<string, {pk: string; row: Record<string, unknown>}>> {
  const out = new Map<string, {pk: string; row: Record<string, unknown>}>()
  const select = [`${qi(plan.pk)} AS "crmsync pk"`, `${qi(plan.key)} AS "crmsync key"`, ...cols.map((c) => qi(c.name))].join(', ')
  for (const part of chunks(ids, 1000)) {
    for (const row of await tx.query(`SELECT ${select} FROM ${ctx.target.ref(plan.table)} WHERE ${qi(plan.key)} IN (${marks(part.length)})`, part)) {
      out.set(String(row['crmsync key']), {pk: String(row['crmsync pk']), row})
    }
  }
  return out
}

/** Multi-row INSERT ... ON CONFLICT (key) DO UPDATE: new rows get the table's own pk, existing ones keep theirs. */
async function writeRows(ctx: PublishContext, tx: TargetTx, plan: TablePlan, cols: Array<{name: string; family: ColumnFamily}>, rows: Desired[]): Promise<Map<string, string>> {
  const names = [plan.key, ...cols.map((c) => c.name), ...(plan.syncedAt ? [plan.syncedAt.name] : [])]
  const per = Math.max(1, Math.min(500, Math.floor(30_000 / names.length))) // PostgreSQL plans a few hundred rows per statement fastest
  const update = names
    .slice(1)
    .map((n) => `${qi(n)} = excluded.${qi(n)}`)
    .join(', ')
  const pks = new Map<string, string>()
  for (const part of chunks(rows, per)) {
    const params: unknown[] = []
    for (const d of part) {
      params.push(d.id)
      cols.forEach((c, i) => params.push(ctx.target.param(c.family, d.values[i])))
      if (plan.syncedAt) params.push(ctx.target.param(plan.syncedAt.family, ctx.now))
    }
    const values = part.map(() => `(${marks(names.length)})`).join(', ')
    const sql = `INSERT INTO ${ctx.target.ref(plan.table)} (${names.map(qi).join(', ')}) VALUES ${values} ON CONFLICT (${qi(plan.key)}) DO UPDATE SET ${update} RETURNING ${qi(plan.pk)} AS pk, ${qi(plan.key)} AS k`
    for (const r of await tx.query(sql, params)) pks.set(String(r.k), String(r.pk))
  }
  return pks
}

/** Make the through rows of these records equal to their edge sets: insert the missing, delete the extra. */
async function syncThrough(
  ctx: PublishContext,
  tx: TargetTx,
  plan: TablePlan,
  m: TablePlan['m2m'][number],
  ids: string[],
  pks: Map<string, string>,
  related: Map<string, string[]>,
  relPks: Map<string, string>,
): Promise<void> {
  const counts = ctx.through.get(m.table)!
  const ref = ctx.target.ref(m.table)
  const own = ids.map((id) => pks.get(id)).filter((p): p is string => p !== undefined)
  const have = new Set<string>()
  for (const part of chunks(own, 1000)) {
    for (const r of await tx.query(`SELECT ${qi(m.sourceColumn)} AS s, ${qi(m.targetColumn)} AS t FROM ${ref} WHERE ${qi(m.sourceColumn)} IN (${marks(part.length)})`, part)) have.add(`${r.s} ${r.t}`)
  }
  const missing: Array<[string, string]> = []
  for (const id of ids) {
    const s = pks.get(id)
    for (const other of related.get(id) ?? []) {
      const t = relPks.get(other)
      if (t === undefined) continue // the other record is not in the target (yet)
      if (s === undefined || !have.delete(`${s} ${t}`)) missing.push([s ?? '', t])
    }
  }
  counts.inserted += missing.length
  counts.deleted += have.size
  if (ctx.dryRun) return
  for (const pair of have) {
    const [s, t] = pair.split(' ')
    await tx.query(`DELETE FROM ${ref} WHERE ${qi(m.sourceColumn)} = ? AND ${qi(m.targetColumn)} = ?`, [ctx.target.param('integer', s), ctx.target.param('integer', t)])
  }
  for (const part of chunks(missing, 10_000)) {
    await tx.query(`INSERT INTO ${ref} (${qi(m.sourceColumn)}, ${qi(m.targetColumn)}) VALUES ${part.map(() => '(?, ?)').join(', ')}`, part.flat())
  }
}
