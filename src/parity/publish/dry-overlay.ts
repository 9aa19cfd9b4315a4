/**
 * What a dry run's skipped writes would have done, kept in TEMP tables of the target session (never
 * an application table; gone with the session), so that every later step counts exactly what a real
 * publish writes: a row the run would insert gets a stand-in primary key (negative, never a real
 * one), so the foreign keys and through rows pointing at it are counted; through rows it would
 * insert or delete are remembered, so a later delete counts the through rows a real run finds.
 * Memory stays bounded: the overlay is in the target, read per batch.
 */
import type {PublishTarget, TargetTx} from './target.js'

const ROWS = 'crmsync_dry_rows'
const PAIRS = 'crmsync_dry_pairs'
const INT = {family: 'integer'} as const
const TEXT = {family: 'text'} as const

export class DryOverlay {
  private next = 0

  private constructor(private readonly target: PublishTarget) {}

  static async open(target: PublishTarget): Promise<DryOverlay> {
    await target.query(`CREATE TEMP TABLE IF NOT EXISTS ${ROWS} (tbl text NOT NULL, k text NOT NULL, pk bigint NOT NULL, PRIMARY KEY (tbl, k))`)
    await target.query(`CREATE TEMP TABLE IF NOT EXISTS ${PAIRS} (tbl text NOT NULL, s bigint NOT NULL, t bigint NOT NULL, op text NOT NULL, PRIMARY KEY (tbl, s, t))`)
    await target.query(`DELETE FROM ${ROWS}`)
    await target.query(`DELETE FROM ${PAIRS}`)
    return new DryOverlay(target)
  }

  /** Stand-in pks for rows of `table` a real run would insert now; `remember` them when a later table looks them up. */
  async insert(tx: TargetTx, table: string, keys: string[], remember: boolean): Promise<Map<string, string>> {
    const out = new Map(keys.map((k) => [k, String(--this.next)]))
    if (out.size === 0 || !remember) return out
    const src = this.target.rowSource(
      'v',
      [TEXT, TEXT, INT],
      [...out].map(([k, pk]) => [table, k, pk]),
    )
    await tx.query(`INSERT INTO ${ROWS} (tbl, k, pk) SELECT v.c0, v.c1, v.c2 FROM ${src.sql}`, src.params)
    return out
  }

  /** The stand-in pks of those of `keys` inserted earlier in this dry run. */
  async pksOf(table: string, keys: string[]): Promise<Map<string, string>> {
    const where = this.target.inList('k', 'text', keys)
    const rows = await this.target.query(`SELECT k, pk FROM ${ROWS} WHERE tbl = ? AND ${where.sql}`, [table, ...where.params])
    return new Map(rows.map((r) => [String(r.k), String(r.pk)]))
  }

  /**
   * The through rows of `table` a real run would see now with `column` (0: source, 1: target) in
   * `pks`, given the rows the target holds (`real`, as "s t" pairs): minus those deleted, plus those
   * inserted earlier in this dry run.
   */
  async pairs(table: string, column: 0 | 1, pks: string[], real: Set<string>): Promise<Set<string>> {
    if (pks.length === 0) return real
    const where = this.target.inList(column === 0 ? 's' : 't', 'integer', pks)
    for (const r of await this.target.query(`SELECT s, t, op FROM ${PAIRS} WHERE tbl = ? AND ${where.sql}`, [table, ...where.params])) {
      const pair = `${r.s} ${r.t}`
      if (r.op === '+') real.add(pair)
      else real.delete(pair)
    }
    return real
  }

  /** Remember through rows a real run would insert (`add`) and delete (`remove`, as "s t" pairs). */
  async change(tx: TargetTx, table: string, add: Array<[string, string]>, remove: Iterable<string>): Promise<void> {
    const removed = [...remove].map((p) => p.split(' ') as [string, string])
    const all = [...add, ...removed]
    if (all.length === 0) return
    const src = this.target.rowSource('v', [INT, INT], all)
    const marks = new Map<string, string>()
    for (const r of await tx.query(`SELECT s, t, op FROM ${PAIRS} WHERE tbl = ? AND (s, t) IN (SELECT v.c0, v.c1 FROM ${src.sql})`, [table, ...src.params])) marks.set(`${r.s} ${r.t}`, String(r.op))
    // a pair inserted (deleted) earlier in this dry run and now deleted (inserted) again is back as the target holds it
    const undo: Array<[string, string]> = []
    const mark: Array<[string, string, string, string]> = []
    for (const [pairs, op, opposite] of [
      [add, '+', '-'],
      [removed, '-', '+'],
    ] as const) {
      for (const [s, t] of pairs) {
        const had = marks.get(`${s} ${t}`)
        if (had === opposite) undo.push([s, t])
        else if (had === undefined) mark.push([table, s, t, op])
        if (had === opposite) marks.delete(`${s} ${t}`)
        else marks.set(`${s} ${t}`, op)
      }
    }
    if (undo.length > 0) {
      const u = this.target.rowSource('v', [INT, INT], undo)
      await tx.query(`DELETE FROM ${PAIRS} WHERE tbl = ? AND (s, t) IN (SELECT v.c0, v.c1 FROM ${u.sql})`, [table, ...u.params])
    }
    if (mark.length > 0) {
      const m = this.target.rowSource('v', [TEXT, INT, INT, TEXT], mark)
      await tx.query(`INSERT INTO ${PAIRS} (tbl, s, t, op) SELECT v.c0, v.c1, v.c2, v.c3 FROM ${m.sql}`, m.params)
    }
  }
}
