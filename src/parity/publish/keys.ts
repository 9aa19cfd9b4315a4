/** Resolve HubSpot ids to the target's primary keys (foreign keys hold the application's own ids). */
import {chunks, marks, type PublishContext} from './context.js'
import {qi, type TargetTx} from './target.js'

/** The target pk (as text) of each HubSpot id of `entity` present in the target. */
export async function pksOf(ctx: PublishContext, tx: TargetTx, entity: string, ids: Iterable<string>): Promise<Map<string, string>> {
  const plan = ctx.plans.get(entity)!
  const out = new Map<string, string>()
  for (const part of chunks([...new Set(ids)], 1000)) {
    const rows = await tx.query(`SELECT ${qi(plan.pk)} AS pk, ${qi(plan.key)} AS k FROM ${ctx.target.ref(plan.table)} WHERE ${qi(plan.key)} IN (${marks(part.length)})`, part)
    for (const r of rows) out.set(String(r.k), String(r.pk))
  }
  return out
}
