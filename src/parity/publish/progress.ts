/**
 * What a publish tells a progress display: each step (`upsert crm_contact`, `delete crm_deal`)
 * as it begins, with a counter of the rows it has handled so far (the display samples it; the
 * batch code only bumps the run's counters) and, where the store can tell cheaply, a total.
 */
import type {PublishContext} from './context.js'
import type {TablePlan} from './plan.js'

export interface PublishProgress {
  /** a step begins: `rows()` is how many rows it has handled so far; `total` how many it will consider, when known */
  begin(step: string, rows: () => number, total: number | null): void
  /** the step ended (or failed) */
  end(step: string, failed?: boolean): void
}

/** Live records per entity from the store's status, the rows a full publish will consider (null when the store cannot tell). */
export async function liveCounts(store: PublishContext['store']): Promise<Map<string, number>> {
  const status = await store.status()
  return new Map(status.streams.flatMap((s) => (s.rows === null ? [] : [[s.stream, s.rows] as const])))
}

/** Run one step under the display: begin, the work, end (failed when it throws). */
export async function step(progress: PublishProgress | undefined, name: string, rows: () => number, total: number | null, work: () => Promise<void>): Promise<void> {
  progress?.begin(name, rows, total)
  try {
    await work()
  } catch (e) {
    progress?.end(name, true)
    throw e
  }
  progress?.end(name)
}

/** Rows of `plan`'s table considered by the upsert step so far. */
export const upserted =
  (ctx: PublishContext, plan: TablePlan): (() => number) =>
  () => {
    const c = ctx.tables.get(plan.table)!
    return c.inserted + c.updated + c.unchanged
  }

/** Rows of `plan`'s table deleted (or soft-deleted) so far. */
export const deleted =
  (ctx: PublishContext, plan: TablePlan): (() => number) =>
  () =>
    ctx.tables.get(plan.table)!.deleted
