/**
 * The mutation schedule of `--faults mutations:...`: a file of operations due after N requests or
 * at T seconds after start, or `auto`: a seeded random create/update/archive/merge/associate/
 * unassociate every N requests (the last two change no record's modified date, as on HubSpot).
 */
import {readFileSync} from 'node:fs'
import type {EmulatorContext} from './context.js'
import {applyMutations, MutationError} from './mutations.js'
import {SpecError} from './rate-limit.js'
import type {MutationOp} from './types.js'

export interface ScheduledMutation {
  /** apply once this many requests have been served */
  afterRequests?: number
  /** or once this many seconds have passed since start */
  atSeconds?: number
  op: MutationOp
}

const KINDS = new Set(['create', 'update', 'archive', 'merge', 'associate', 'unassociate'])

/** Reads a schedule file: a JSON array or NDJSON of `{afterRequests|atSeconds, kind, entity, ...}`. */
export function readScheduleFile(path: string): ScheduledMutation[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new SpecError(`Cannot read the mutation schedule ${path}: ${(err as Error).message}. Pass an existing file in --faults mutations:file=PATH.`)
  }
  let items: unknown[]
  try {
    items = text.trim().startsWith('[')
      ? (JSON.parse(text) as unknown[])
      : text
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown)
  } catch (err) {
    throw new SpecError(`The mutation schedule ${path} is not valid JSON or NDJSON: ${(err as Error).message}.`)
  }
  return items.map((raw, i) => {
    const o = raw as Record<string, unknown>
    const {afterRequests, atSeconds, ...op} = o
    if (!KINDS.has(String(op.kind))) throw new SpecError(`Mutation ${i + 1} in ${path}: "kind" must be one of ${[...KINDS].join(', ')}.`)
    if (afterRequests === undefined && atSeconds === undefined) throw new SpecError(`Mutation ${i + 1} in ${path}: give "afterRequests" or "atSeconds".`)
    return {afterRequests: afterRequests as number | undefined, atSeconds: atSeconds as number | undefined, op: op as unknown as MutationOp}
  })
}

export class MutationSchedule {
  private pending: ScheduledMutation[]
  private readonly startedAt: number
  constructor(
    private readonly ctx: EmulatorContext,
    entries: ScheduledMutation[],
    private readonly autoEvery: number | undefined,
    private readonly rng: () => number,
  ) {
    this.pending = [...entries]
    this.startedAt = ctx.now()
  }

  /** Applies whatever is due before request number `n` is answered. */
  tick(n: number): void {
    if (this.pending.length > 0) {
      const elapsed = (this.ctx.now() - this.startedAt) / 1000
      const due = this.pending.filter((m) => (m.afterRequests !== undefined && n > m.afterRequests) || (m.atSeconds !== undefined && elapsed >= m.atSeconds))
      if (due.length > 0) {
        this.pending = this.pending.filter((m) => !due.includes(m))
        for (const m of due) this.tryApply(m.op)
      }
    }
    if (this.autoEvery && n % this.autoEvery === 0) {
      const op = this.randomOp()
      if (op) this.tryApply(op)
    }
  }

  private tryApply(op: MutationOp): void {
    try {
      applyMutations(this.ctx, [op])
    } catch (err) {
      if (!(err instanceof MutationError)) throw err
    }
  }

  private randomId(ent: number): string | undefined {
    const db = this.ctx.store.db
    const b = db.prepare('SELECT min(rowid) AS lo, max(rowid) AS hi FROM records WHERE ent = ?').get(ent) as {lo: number | null; hi: number | null}
    if (b.lo === null || b.hi === null) return undefined
    const at = b.lo + Math.floor(this.rng() * (b.hi - b.lo + 1))
    const r = db.prepare('SELECT id FROM records WHERE rowid >= ? AND ent = ? AND archived = 0 LIMIT 1').get(at, ent) as {id: string} | undefined
    return r?.id
  }

  private randomOp(): MutationOp | undefined {
    const ents = this.ctx.store.entities
    const e = ents[Math.floor(this.rng() * ents.length)]
    const x = this.rng()
    if (x < 0.15) return {kind: 'create', entity: e.name, properties: {}}
    if (x >= 0.75) return this.randomAssociationChange(x < 0.875)
    const id = this.randomId(e.index)
    if (!id) return undefined
    if (x < 0.55) return {kind: 'update', entity: e.name, id, properties: {}}
    if (x < 0.65) return {kind: 'archive', entity: e.name, id}
    const other = this.randomId(e.index)
    return other && other !== id ? {kind: 'merge', entity: e.name, winnerId: id, loserId: other} : undefined
  }

  /** An association-only change (no record's modified date moves): a new edge of a defined type, or an existing edge removed. */
  private randomAssociationChange(add: boolean): MutationOp | undefined {
    const store = this.ctx.store
    if (!add) {
      const n = (store.db.prepare('SELECT count(*) AS n FROM assoc').get() as {n: number}).n
      if (n === 0) return undefined
      const a = store.db.prepare('SELECT fe, fid, te, tid FROM assoc LIMIT 1 OFFSET ?').get(Math.floor(this.rng() * n)) as {fe: number; fid: string; te: number; tid: string}
      return {kind: 'unassociate', fromEntity: store.entities[a.fe].name, fromId: a.fid, toEntity: store.entities[a.te].name, toId: a.tid}
    }
    const ents = store.entities
    const from = ents[Math.floor(this.rng() * ents.length)]
    const to = ents[Math.floor(this.rng() * ents.length)]
    const types = store.associationTypesOf(from, to)
    if (from === to || types.length === 0) return undefined
    const fromId = this.randomId(from.index)
    const toId = this.randomId(to.index)
    if (!fromId || !toId) return undefined
    return {kind: 'associate', fromEntity: from.name, fromId, toEntity: to.name, toId, typeId: types[Math.floor(this.rng() * types.length)].typeId}
  }
}
