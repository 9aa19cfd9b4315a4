/** Resolve HubSpot ids to the target's primary keys (foreign keys hold the application's own ids). */
import type {PublishContext} from './context.js'
import {qi, type TargetTx} from './target.js'

/**
 * The target pk (as text) of each HubSpot id of `entity` present in the target: one statement for
 * the whole list. In a dry run, rows the skipped inserts would have created count too (their
 * stand-in pks), so foreign keys and through rows are counted as a real run writes them.
 */
export async function pksOf(ctx: PublishContext, tx: TargetTx, entity: string, ids: Iterable<string>): Promise<Map<string, string>> {
  const plan = ctx.plans.get(entity)!
  const keys = [...new Set(ids)]
  const out = new Map<string, string>()
  if (keys.length === 0) return out
  const where = ctx.target.inList(qi(plan.key), 'text', keys)
  for (const r of await tx.query(`SELECT ${qi(plan.pk)} AS pk, ${qi(plan.key)} AS k FROM ${ctx.target.ref(plan.table)} WHERE ${where.sql}`, where.params)) out.set(String(r.k), String(r.pk))
  if (ctx.dry && out.size < keys.length)
    for (const [k, pk] of await ctx.dry.pksOf(
      plan.table,
      keys.filter((k) => !out.has(k)),
    ))
      out.set(k, pk)
  return out
}
