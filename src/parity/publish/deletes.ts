/**
 * The delete phase, in reverse dependency order after every upsert: rows whose record is archived
 * or merged away (incremental: the changed ones; full: every target row without a live record in
 * the store) are deleted, with their through rows, or soft-deleted when the mapping says so.
 * Set-wise: every list of keys or pks is one parameter (target.inList / target.rowSource).
 */
import {HEAP_CEILING_MB, inBatch, pause, type PublishContext} from './context.js'
import {boundHeap} from './heap-bound.js'
import {sameValue} from './legacy-value.js'
import type {M2mPlan, TablePlan} from './plan.js'
import {qi, type TargetTx} from './target.js'

/** Delete (or soft-delete) the target rows of records gone from the store since `sinceSeq` (-1: every row without a live record). */
export async function deleteGone(ctx: PublishContext, plan: TablePlan, sinceSeq: number): Promise<void> {
  if (sinceSeq < 0 && ctx.startedEmpty.has(plan.table)) return // every row is one this publish inserted for a live record
  let keys: string[] = []
  const flush = async (): Promise<void> => {
    if (keys.length > 0) await deleteKeys(ctx, plan, keys)
    keys = []
    boundHeap(HEAP_CEILING_MB)
  }
  for await (const key of sinceSeq < 0 ? orphanKeys(ctx, plan) : goneKeys(ctx, plan, sinceSeq)) {
    keys.push(key)
    if (keys.length >= ctx.batchSize) await flush()
  }
  await flush()
}

async function* goneKeys(ctx: PublishContext, plan: TablePlan, sinceSeq: number): AsyncGenerator<string> {
  for await (const r of ctx.store.changedRecords(plan.entity, sinceSeq)) if (r.archived === 1 || r.merged_into !== null) yield r.id
}

/**
 * Target keys without a live record in the store: the store's live ids go into a TEMP table of the
 * target session (never an application table; gone with the session), 5,000 per statement, then the
 * target is paged by its primary key for rows whose key is not among them.
 */
async function* orphanKeys(ctx: PublishContext, plan: TablePlan): AsyncGenerator<string> {
  const t = ctx.target
  await t.query('CREATE TEMP TABLE IF NOT EXISTS crmsync_live_keys (k text PRIMARY KEY)')
  await t.query('DELETE FROM crmsync_live_keys')
  let ids: string[] = []
  const flush = async (): Promise<void> => {
    if (ids.length === 0) return
    const src = t.rowSource(
      'v',
      [{family: 'text'}],
      ids.map((id) => [id]),
    )
    await t.query(`INSERT INTO crmsync_live_keys (k) SELECT v.c0 FROM ${src.sql}`, src.params)
    ids = []
  }
  for await (const r of ctx.store.changedRecords(plan.entity, -1)) {
    if (r.archived === 1 || r.merged_into !== null) continue
    ids.push(r.id)
    if (ids.length >= 5000) await flush()
  }
  await flush()
  const k = qi(plan.key)
  const pk = qi(plan.pk)
  let after: unknown = null
  for (;;) {
    const page = await t.query(
      `SELECT ${pk} AS pk, ${k} AS k FROM ${t.ref(plan.table)} x WHERE ${after === null ? '' : `${pk} > ? AND `}NOT EXISTS (SELECT 1 FROM crmsync_live_keys l WHERE l.k = x.${k}) ORDER BY ${pk} LIMIT 1000`,
      after === null ? [] : [after],
    )
    for (const row of page) yield String(row.k)
    if (page.length < 1000) break
    after = page[page.length - 1].pk
  }
}

async function deleteKeys(ctx: PublishContext, plan: TablePlan, keys: string[]): Promise<void> {
  const counts = ctx.tables.get(plan.table)!
  const ref = ctx.target.ref(plan.table)
  await inBatch(ctx, async (tx) => {
    const soft = plan.softDelete
    const byKey = ctx.target.inList(qi(plan.key), 'text', keys)
    const rows = await tx.query(`SELECT ${qi(plan.pk)} AS pk${soft ? `, ${qi(soft.name)} AS soft` : ''} FROM ${ref} WHERE ${byKey.sql}`, byKey.params)
    if (soft) {
      const flag = soft.family === 'boolean' ? 'true' : ctx.now
      const todo = rows.filter((r) => (soft.family === 'boolean' ? !sameValue('boolean', r.soft, 'true') : r.soft === null)).map((r) => String(r.pk))
      counts.deleted += todo.length
      if (!ctx.dryRun && todo.length > 0) {
        const byPk = ctx.target.inList(qi(plan.pk), 'integer', todo)
        await tx.query(`UPDATE ${ref} SET ${qi(soft.name)} = ? WHERE ${byPk.sql}`, [ctx.target.param(soft.family, flag), ...byPk.params])
      }
      return
    }
    const pks = rows.map((r) => String(r.pk))
    counts.deleted += pks.length
    if (pks.length === 0) return
    // through rows pointing at these rows, from this table's relations and from other tables' relations to it
    for (const other of ctx.plans.values()) {
      for (const m of other.m2m) {
        const column = other === plan ? 0 : m.target === plan.entity ? 1 : null
        if (column !== null) await deleteThrough(ctx, tx, m, column, pks)
      }
    }
    if (!ctx.dryRun) {
      const byPk = ctx.target.inList(qi(plan.pk), 'integer', pks)
      await tx.query(`DELETE FROM ${ref} WHERE ${byPk.sql}`, byPk.params)
    }
    await pause(ctx.delayMs)
  })
}

/** Delete (dry run: count exactly, through the overlay) the rows of a through table whose `column` holds one of `pks`. */
async function deleteThrough(ctx: PublishContext, tx: TargetTx, m: M2mPlan, column: 0 | 1, pks: string[]): Promise<void> {
  const counts = ctx.through.get(m.table)!
  const ref = ctx.target.ref(m.table)
  const where = ctx.target.inList(qi(column === 0 ? m.sourceColumn : m.targetColumn), 'integer', pks)
  if (ctx.dry) {
    // a real run finds the through rows its upserts left: the target's, minus and plus this dry run's changes
    const real = new Set<string>()
    for (const r of await tx.query(`SELECT ${qi(m.sourceColumn)} AS s, ${qi(m.targetColumn)} AS t FROM ${ref} WHERE ${where.sql}`, where.params)) real.add(`${r.s} ${r.t}`)
    const now = await ctx.dry.pairs(m.table, column, pks, real)
    counts.deleted += now.size
    await ctx.dry.change(tx, m.table, [], now)
    return
  }
  const [{n}] = await tx.query(`SELECT COUNT(*) AS n FROM ${ref} WHERE ${where.sql}`, where.params)
  counts.deleted += Number(n)
  await tx.query(`DELETE FROM ${ref} WHERE ${where.sql}`, where.params)
}
