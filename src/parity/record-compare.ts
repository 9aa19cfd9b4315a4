/**
 * Compare one legacy row with the new side's record of the same key: every mapped field through
 * its normalizers, every relation as a set; then explain each difference by the ledger or the noise
 * baseline, or attribute it with the source snapshot.
 */
import deepDiff from 'deep-diff'
import {attributeEdge, attributeField, compareIdText, type SourceFacts} from './attribution.js'
import {bump, type EntityStats} from './entity-stats.js'
import type {Ledger} from './ledger.js'
import type {LoadedMapping} from './mapping/load.js'
import type {FieldMapping} from './mapping/schema.js'
import type {Value} from './normalizers.js'
import type {Attribution} from '../reports/report-types.js'
import {own} from './own.js'
import type {LegacyRow, RecRow} from './staged-rows.js'

/** Everything about one key the comparison needs. */
export interface KeyContext {
  entity: string
  legacy: LegacyRow
  newRow: RecRow
  source?: RecRow
  baseline?: LegacyRow
  src: SourceFacts
  hasSource: boolean
}

/** Outcome for one record: differences that count (not noise), and how many of them the ledger explained. */
export interface RecordOutcome {
  differences: number
  explained: number
}

/** A record-level property value: `createdAt`/`updatedAt`/`id` or a property. */
export function propertyValue(r: RecRow, property: string): unknown {
  if (property === 'createdAt') return r.createdAt
  if (property === 'updatedAt') return r.updatedAt
  if (property === 'id') return r.key
  const v = own(r.props, property)
  return v === undefined ? null : v
}

function jsonPaths(a: Value, b: Value): string[] | undefined {
  try {
    const d = deepDiff.diff(JSON.parse(a ?? 'null'), JSON.parse(b ?? 'null'))
    return d?.slice(0, 20).map((x) => (x.path ?? []).join('.') || '(root)')
  } catch {
    return undefined
  }
}

/** First id in the API's order (ascending numeric id). */
export function firstId(ids: string[]): string | undefined {
  let best: string | undefined
  for (const id of ids) if (best === undefined || compareIdText(id, best) < 0) best = id
  return best
}

const fieldLists = new WeakMap<LoadedMapping, Map<string, Array<[string, FieldMapping, LoadedMapping['comparators'][string][string]]>>>()
function fieldList(lm: LoadedMapping, entity: string): Array<[string, FieldMapping, LoadedMapping['comparators'][string][string]]> {
  let byEntity = fieldLists.get(lm)
  if (!byEntity) fieldLists.set(lm, (byEntity = new Map()))
  let list = byEntity.get(entity)
  if (!list) byEntity.set(entity, (list = Object.entries(lm.mapping.entities[entity].fields).map(([f, fm]) => [f, fm, lm.comparators[entity][f]])))
  return list
}

/** Compare one matched pair; updates `stats` and the ledger's counters. */
export function compareRecord(lm: LoadedMapping, ledger: Ledger, stats: EntityStats, k: KeyContext): RecordOutcome {
  const em = lm.mapping.entities[k.entity]
  const out: RecordOutcome = {differences: 0, explained: 0}
  const attr = (a: Partial<Record<Attribution, number>>, x: Attribution): void => bump(a, x)
  for (const [field, fm, cmp] of fieldList(lm, k.entity)) {
    const fs = stats.field(field, fm.property)
    fs.compared++
    const l = cmp.legacy.normalize(own(k.legacy.fields, field))
    const n = cmp.new.normalize(propertyValue(k.newRow, fm.property))
    if (cmp.new.equal(l, n)) continue
    const rule = ledger.match(k.entity, field, 'modified', {legacy: l, new: n, newArchived: k.newRow.archived, sourceArchived: k.src.archived}, () => ({key: k.legacy.key, field, legacy: l, new: n}))
    if (rule) {
      fs.explained++
      out.differences++
      out.explained++
      continue
    }
    if (k.baseline) {
      const b = cmp.legacy.normalize(own(k.baseline.fields, field))
      if (!cmp.legacy.equal(b, l)) {
        fs.noise++
        continue
      }
    }
    out.differences++
    const s = k.source ? cmp.new.normalize(propertyValue(k.source, fm.property)) : undefined
    const a = attributeField(k.hasSource, k.src, s !== undefined && cmp.new.equal(l, s), s !== undefined && cmp.new.equal(n, s))
    fs.mismatched++
    attr(fs.attribution, a)
    stats.sample(fs.samples, {key: k.legacy.key, field, legacy: l, new: n, ...(k.source ? {source: s} : {}), attribution: a, ...(cmp.legacy.json ? {paths: jsonPaths(l, n)} : {})})
  }
  Object.entries(em.relations).forEach(([name, rm], i) => {
    const rs = stats.relation(`${k.entity}.${name}`, `${k.entity}→${rm.target}`, rm.kind)
    rs.recordsCompared++
    const L = k.legacy.rels[i]
    const Nfull = k.newRow.rels[i]
    const view = (full: string[]): string[] => {
      if (rm.kind === 'm2m') return full
      if (rm.pick === 'any' && L.length === 1 && full.includes(L[0])) return L
      const f = firstId(full)
      return f === undefined ? [] : [f]
    }
    const N = view(Nfull)
    const S = k.source ? view(k.source.rels[i]) : []
    const B = k.baseline ? k.baseline.rels[i] : undefined
    const edges: Array<['missing' | 'extra', string]> = [...N.filter((e) => !L.includes(e)).map((e): ['missing', string] => ['missing', e]), ...L.filter((e) => !N.includes(e)).map((e): ['extra', string] => ['extra', e])]
    let unexplained = false
    for (const [kind, e] of edges) {
      const fkNotFirst = rm.kind === 'fk' && L.length === 1 && Nfull.includes(L[0])
      if (ledger.match(k.entity, name, 'relation', {fkNotFirst, newArchived: k.newRow.archived, sourceArchived: k.src.archived}, () => ({key: k.legacy.key, field: name, legacy: L, new: N, paths: [`${kind}:${e}`]}))) {
        rs.explained++
        out.differences++
        out.explained++
        continue
      }
      if (B && B.includes(e) !== L.includes(e)) {
        rs.noise = (rs.noise ?? 0) + 1
        continue
      }
      out.differences++
      unexplained = true
      if (kind === 'missing') rs.missingEdges++
      else rs.extraEdges++
      const a = attributeEdge(k.hasSource, k.src, kind, S.includes(e))
      attr(rs.attribution, a)
      stats.sample(rs.samples, {key: k.legacy.key, field: name, legacy: L, new: N, ...(k.source ? {source: S} : {}), attribution: a, paths: [`${kind}:${e}`]})
    }
    if (unexplained) rs.recordsMismatched++
  })
  return out
}
