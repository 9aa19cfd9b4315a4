/**
 * Changes to the served portal while a client reads it: create, update, archive, merge, associate,
 * unassociate. Updates bump updatedAt and the modified property (associate and unassociate, as on
 * HubSpot, change no record's modified date); archiving sets archived/archivedAt and drops the
 * record's associations; a merge removes the loser, adds its id to the survivor's
 * hs_merged_object_ids and moves its associations. With an index lag, search keeps seeing the
 * previous version of a changed record until the lag has passed.
 */
import type {AssociationType} from '../core/records.js'
import type {EmulatorContext} from './context.js'
import {isId, nextId} from './ids.js'
import type {EntityInfo} from './object-types.js'
import type {RecordRow} from './store.js'
import type {MutationOp, MutationResult} from './types.js'

/** Thrown when a mutation names an unknown entity or record. */
export class MutationError extends Error {}

function row(ctx: EmulatorContext, e: EntityInfo, id: string): RecordRow {
  const r = isId(id) ? (ctx.store.db.prepare('SELECT * FROM records WHERE ent = ? AND idlen = ? AND id = ?').get(e.index, id.length, id) as RecordRow | undefined) : undefined
  if (!r) throw new MutationError(`${e.name} ${id} does not exist`)
  return r
}

/** A modified-date value in the format the portal already uses (epoch ms string or ISO). */
function stamp(sample: string | null | undefined, now: number): string {
  return sample && /^\d+$/.test(sample) ? String(now) : new Date(now).toISOString()
}

/**
 * Writes a new version of a record, keeping the version search last saw while the index lags.
 */
function writeVersion(ctx: EmulatorContext, e: EntityInfo, r: RecordRow, props: Record<string, string | null>, archived: boolean, now: number): void {
  const visibleNow = r.changed_ms === null || r.changed_ms <= now - ctx.indexLagMs
  const prev = visibleNow ? {p: r.props, a: r.archived, m: r.mod_ms, u: r.updated_at} : {p: r.prev_props, a: r.prev_archived, m: r.prev_mod_ms, u: r.prev_updated_at}
  const iso = new Date(now).toISOString()
  props[e.modifiedProperty] = stamp((JSON.parse(r.props) as Record<string, string | null>)[e.modifiedProperty], now)
  ctx.store.db
    .prepare(
      `UPDATE records SET props = ?, mod_ms = ?, updated_at = ?, archived = ?, archived_at = ?, changed_ms = ?,
       prev_props = ?, prev_archived = ?, prev_mod_ms = ?, prev_updated_at = ? WHERE ent = ? AND idlen = ? AND id = ?`,
    )
    .run(JSON.stringify(props), now, iso, archived ? 1 : 0, archived ? iso : null, now, prev.p, prev.a, prev.m, prev.u, e.index, r.id.length, r.id)
}

function deleteAssociations(ctx: EmulatorContext, e: EntityInfo, id: string): void {
  ctx.store.db.prepare('DELETE FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ?').run(e.index, id.length, id)
  ctx.store.db.prepare('DELETE FROM assoc WHERE te = ? AND tidlen = ? AND tid = ?').run(e.index, id.length, id)
}

function mergeTypes(a: AssociationType[], b: AssociationType[]): AssociationType[] {
  const out = [...a]
  for (const t of b) if (!out.some((x) => x.typeId === t.typeId && x.category === t.category)) out.push(t)
  return out
}

function applyOne(ctx: EmulatorContext, op: MutationOp): MutationResult {
  const now = ctx.now()
  const reg = ctx.store.registry
  switch (op.kind) {
    case 'create': {
      const e = reg.find(op.entity) ?? fail(op.entity)
      const max = ctx.store.db.prepare('SELECT id, props FROM records WHERE ent = ? ORDER BY idlen DESC, id DESC LIMIT 1').get(e.index) as {id: string; props: string} | undefined
      const id = op.id ?? (max ? nextId(max.id) : '1')
      if (!isId(id)) throw new MutationError(`invalid id ${id}`)
      const sample = max ? (JSON.parse(max.props) as Record<string, string | null>) : {}
      const iso = new Date(now).toISOString()
      const props: Record<string, string | null> = {...op.properties, hs_object_id: id}
      props[e.createdProperty] = stamp(sample[e.createdProperty], now)
      props[e.modifiedProperty] = stamp(sample[e.modifiedProperty], now)
      ctx.store.db
        .prepare('INSERT INTO records(ent,idlen,id,archived,created_at,updated_at,archived_at,mod_ms,props,changed_ms) VALUES (?,?,?,0,?,?,NULL,?,?,?)')
        .run(e.index, id.length, id, iso, iso, now, JSON.stringify(props), now)
      return {kind: op.kind, entity: e.name, id}
    }
    case 'update': {
      const e = reg.find(op.entity) ?? fail(op.entity)
      const r = row(ctx, e, op.id)
      if (r.archived) throw new MutationError(`${e.name} ${op.id} is archived`)
      writeVersion(ctx, e, r, {...(JSON.parse(r.props) as Record<string, string | null>), ...op.properties}, false, now)
      return {kind: op.kind, entity: e.name, id: op.id}
    }
    case 'archive': {
      const e = reg.find(op.entity) ?? fail(op.entity)
      const r = row(ctx, e, op.id)
      if (r.archived) throw new MutationError(`${e.name} ${op.id} is already archived`)
      writeVersion(ctx, e, r, JSON.parse(r.props) as Record<string, string | null>, true, now)
      deleteAssociations(ctx, e, op.id)
      return {kind: op.kind, entity: e.name, id: op.id}
    }
    case 'merge': {
      const e = reg.find(op.entity) ?? fail(op.entity)
      if (op.winnerId === op.loserId) throw new MutationError('cannot merge a record into itself')
      const w = row(ctx, e, op.winnerId)
      const l = row(ctx, e, op.loserId)
      if (w.archived || l.archived) throw new MutationError('cannot merge archived records')
      const wp = JSON.parse(w.props) as Record<string, string | null>
      const lp = JSON.parse(l.props) as Record<string, string | null>
      const merged = [wp.hs_merged_object_ids, op.loserId, lp.hs_merged_object_ids].filter((x): x is string => !!x).join(';')
      writeVersion(ctx, e, w, {...wp, hs_merged_object_ids: merged}, false, now)
      const assocs = ctx.store.db.prepare('SELECT te, tid, types FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ?').all(e.index, l.id.length, l.id) as Array<{te: number; tid: string; types: string}>
      deleteAssociations(ctx, e, l.id)
      const get = ctx.store.db.prepare('SELECT types FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ? AND te = ? AND tidlen = ? AND tid = ?')
      for (const a of assocs) {
        const to = ctx.store.entities[a.te]
        if (to === e && a.tid === w.id) continue
        const existing = get.get(e.index, w.id.length, w.id, a.te, a.tid.length, a.tid) as {types: string} | undefined
        const types = mergeTypes(existing ? (JSON.parse(existing.types) as AssociationType[]) : [], JSON.parse(a.types) as AssociationType[])
        ctx.store.putAssociation(e, w.id, to, a.tid, types)
      }
      ctx.store.db.prepare('DELETE FROM records WHERE ent = ? AND idlen = ? AND id = ?').run(e.index, l.id.length, l.id)
      return {kind: op.kind, entity: e.name, id: w.id, removedId: l.id}
    }
    case 'associate': {
      const from = reg.find(op.fromEntity) ?? fail(op.fromEntity)
      const to = reg.find(op.toEntity) ?? fail(op.toEntity)
      row(ctx, from, op.fromId)
      row(ctx, to, op.toId)
      const t = associationType(ctx, from, to, op.typeId, op.label)
      const existing = ctx.store.db
        .prepare('SELECT types FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ? AND te = ? AND tidlen = ? AND tid = ?')
        .get(from.index, op.fromId.length, op.fromId, to.index, op.toId.length, op.toId) as {types: string} | undefined
      ctx.store.putAssociation(from, op.fromId, to, op.toId, mergeTypes(existing ? (JSON.parse(existing.types) as AssociationType[]) : [], [t]))
      return {kind: op.kind, entity: from.name, id: op.fromId}
    }
    case 'unassociate': {
      const from = reg.find(op.fromEntity) ?? fail(op.fromEntity)
      const to = reg.find(op.toEntity) ?? fail(op.toEntity)
      const del = ctx.store.db.prepare('DELETE FROM assoc WHERE fe = ? AND fidlen = ? AND fid = ? AND te = ? AND tidlen = ? AND tid = ?')
      del.run(from.index, op.fromId.length, op.fromId, to.index, op.toId.length, op.toId)
      del.run(to.index, op.toId.length, op.toId, from.index, op.fromId.length, op.fromId)
      return {kind: op.kind, entity: from.name, id: op.fromId}
    }
  }
}

/**
 * The type an `associate` adds: the pair's defined type of that id (its category and label), the
 * pair's first HUBSPOT_DEFINED type when no id is given, else a USER_DEFINED one (HUBSPOT_DEFINED 1
 * when the pair defines nothing). Adding an association changes neither record's modified date.
 */
function associationType(ctx: EmulatorContext, from: EntityInfo, to: EntityInfo, typeId: number | undefined, label: string | null | undefined): AssociationType {
  const defined = ctx.store.associationTypesOf(from, to)
  const match = typeId === undefined ? defined.find((d) => d.category === 'HUBSPOT_DEFINED') : defined.find((d) => d.typeId === typeId)
  if (match) return {category: match.category, typeId: match.typeId, label: label === undefined ? (match.label ?? null) : label}
  return {category: typeId === undefined ? 'HUBSPOT_DEFINED' : 'USER_DEFINED', typeId: typeId ?? 1, label: label ?? null}
}

function fail(entity: string): never {
  throw new MutationError(`unknown entity ${entity}`)
}

/** Applies mutations in one transaction (all or nothing). */
export function applyMutations(ctx: EmulatorContext, ops: MutationOp[]): MutationResult[] {
  const results = ctx.store.db.transaction(() => ops.map((op) => applyOne(ctx, op)))()
  ctx.store.version++
  ctx.stats.mutations += results.length
  return results
}
