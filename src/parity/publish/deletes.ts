/**
 * The delete phase, in reverse dependency order after every upsert: rows whose record is archived
 * or merged away (incremental: the changed ones; full: every target row without a live record in
 * the store) are deleted, with their through rows, or soft-deleted when the mapping says so.
 */
import {chunks, inBatch, marks, pause, type PublishContext} from './context.js'
import {sameValue} from './legacy-value.js'
import type {TablePlan} from './plan.js'
import {qi} from './target.js'

/** Delete (or soft-delete) the target rows of records gone from the store since `sinceSeq` (-1: every row without a live record). */
export async function deleteGone(ctx: PublishContext, plan: TablePlan, sinceSeq: number): Promise<void> {
  let keys: string[] = []
  const flush = async (): Promise<void> => {
    if (keys.length > 0) await deleteKeys(ctx, plan, keys)
    keys = []
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
 * target session (never an application table; gone with the session), then the target is paged by
 * its primary key for rows whose key is not among them.
 */
async function* orphanKeys(ctx: PublishContext, plan: TablePlan): AsyncGenerator<string> {
  const t = ctx.target
  await t.query('CREATE TEMP TABLE IF NOT EXISTS crmsync_live_keys (k text PRIMARY KEY)')
  await t.query('DELETE FROM crmsync_live_keys')
  let ids: string[] = []
  const flush = async (): Promise<void> => {
    if (ids.length > 0) await t.query(`INSERT INTO crmsync_live_keys (k) VALUES ${ids.map(() => '(?)').join(', ')}`, ids)
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
    const rows = await tx.query(`SELECT ${qi(plan.pk)} AS pk${soft ? `, ${qi(soft.name)} AS soft` : ''} FROM ${ref} WHERE ${qi(plan.key)} IN (${marks(keys.length)})`, keys)
    if (soft) {
      const flag = soft.family === 'boolean' ? 'true' : ctx.now
      const todo = rows.filter((r) => (soft.family === 'boolean' ? !sameValue('boolean', r.soft, 'true') : r.soft === null))
      counts.deleted += todo.length
      if (!ctx.dryRun && todo.length > 0) {
        for (const part of chunks(
          todo.map((r) => String(r.pk)),
          1000,
        ))
          await tx.query(`UPDATE ${ref} SET ${qi(soft.name)} = ? WHERE ${qi(plan.pk)} IN (${marks(part.length)})`, [ctx.target.param(soft.family, flag), ...part])
      }
      return
    }
    const pks = rows.map((r) => String(r.pk))
    counts.deleted += pks.length
    if (pks.length === 0) return
    // through rows pointing at these rows, from this table's relations and from other tables' relations to it
    for (const other of ctx.plans.values()) {
      for (const m of other.m2m) {
        const column = other === plan ? m.sourceColumn : m.target === plan.entity ? m.targetColumn : null
        if (!column) continue
        const have = await tx.query(`SELECT COUNT(*) AS n FROM ${ctx.target.ref(m.table)} WHERE ${qi(column)} IN (${marks(pks.length)})`, pks)
        ctx.through.get(m.table)!.deleted += Number(have[0].n)
        if (!ctx.dryRun) await tx.query(`DELETE FROM ${ctx.target.ref(m.table)} WHERE ${qi(column)} IN (${marks(pks.length)})`, pks)
      }
    }
    if (!ctx.dryRun) await tx.query(`DELETE FROM ${ref} WHERE ${qi(plan.pk)} IN (${marks(pks.length)})`, pks)
    await pause(ctx.delayMs)
  })
}
