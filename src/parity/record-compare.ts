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
import type {Presence} from './consequences.js'
import {toText, type FieldComparator, type Value} from './normalizers.js'
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
  presence: Presence
}

/** Outcome for one record: differences that count (not noise), how many the ledger explained, how many are consequences of missing records. */
export interface RecordOutcome {
  differences: number
  explained: number
  consequences: number
}

/** Count, per normalizer that changed a value, a pair equal only after normalization. */
function creditNormalized(into: Record<string, number>, lc: FieldComparator, nc: FieldComparator, lRaw: unknown, nRaw: unknown, l: Value, n: Value): void {
  if (toText(lRaw) === toText(nRaw)) return
  const specs = new Set([...lc.changedBy(lRaw), ...nc.changedBy(nRaw)])
  if (l !== n && nc.toleranceSpec) specs.add(nc.toleranceSpec)
  for (const sp of specs) into[sp] = (into[sp] ?? 0) + 1
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
  const out: RecordOutcome = {differences: 0, explained: 0, consequences: 0}
  const attr = (a: Partial<Record<Attribution, number>>, x: Attribution): void => bump(a, x)
  for (const [field, fm, cmp] of fieldList(lm, k.entity)) {
    const fs = stats.field(field, fm.property)
    fs.compared++
    const lRaw = own(k.legacy.fields, field)
    const nRaw = propertyValue(k.newRow, fm.property)
    const l = cmp.legacy.normalize(lRaw)
    const n = cmp.new.normalize(nRaw)
    if (cmp.new.equal(l, n)) {
      if (stats.diagnose) creditNormalized((fs.normalizedEqual ??= {}), cmp.legacy, cmp.new, lRaw, nRaw, l, n)
      continue
    }
    const rule = ledger.match(k.entity, field, 'modified', {legacy: l, new: n, newArchived: k.newRow.archived, sourceArchived: k.src.archived, props: k.newRow.props}, () => ({
      key: k.legacy.key,
      field,
      legacy: l,
      new: n,
    }))
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
    const sample = () => ({key: k.legacy.key, field, legacy: l, new: n, ...(k.source ? {source: s} : {}), attribution: a, ...(cmp.legacy.json ? {paths: jsonPaths(l, n)} : {})})
    // a representation convention the diagnosis recognises: the mapping is wrong, not legacy
    const diag = stats.diagnose ? stats.diagnoser(field, fm) : undefined
    const cls = diag?.classify(l, n, toText(nRaw))
    // a confirmed convention re-attributes to mapping_convention when the field is finished (diagnosis/values.ts)
    diag?.record(cls, l, n, a, sample, k.newRow.props)
    fs.mismatched++
    attr(fs.attribution, a)
    if (fs.samples.length < lm.mapping.samples) {
      const smp = sample()
      stats.sample(fs.samples, smp)
      diag?.tag(smp, cls)
    }
  }
  Object.entries(em.relations).forEach(([name, rm], i) => {
    const rs = stats.relation(`${k.entity}.${name}`, `${k.entity}→${rm.target}`, rm.kind, name)
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
    const edges: Array<['missing' | 'extra', string]> = [
      ...N.filter((e) => !L.includes(e)).map((e): ['missing', string] => ['missing', e]),
      ...L.filter((e) => !N.includes(e)).map((e): ['extra', string] => ['extra', e]),
    ]
    let unexplained = false
    let consequence = false
    const ind = {missing: 0, extra: 0}
    const recAttr: Partial<Record<Attribution, number>> = {}
    // an FK has one value: when its new target is a record legacy lacks, the whole FK difference is that record's consequence
    const fkConsequence = rm.kind === 'fk' && edges.some(([kind, e]) => kind === 'missing' && k.presence.isConsequence(rm.target, kind, e))
    for (const [kind, e] of edges) {
      if (rm.kind === 'fk' ? fkConsequence : k.presence.isConsequence(rm.target, kind, e)) {
        out.differences++
        out.consequences++
        consequence = true
        if (kind === 'missing') {
          rs.missingEdges++
          rs.consequenceMissingEdges = (rs.consequenceMissingEdges ?? 0) + 1
        } else {
          rs.extraEdges++
          rs.consequenceExtraEdges = (rs.consequenceExtraEdges ?? 0) + 1
        }
        continue
      }
      const fkNotFirst = rm.kind === 'fk' && L.length === 1 && Nfull.includes(L[0])
      if (
        ledger.match(k.entity, name, 'relation', {fkNotFirst, newArchived: k.newRow.archived, sourceArchived: k.src.archived, props: k.newRow.props}, () => ({
          key: k.legacy.key,
          field: name,
          legacy: L,
          new: N,
          paths: [`${kind}:${e}`],
        }))
      ) {
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
      ind[kind]++
      if (kind === 'missing') {
        rs.missingEdges++
        rs.independentMissingEdges = (rs.independentMissingEdges ?? 0) + 1
      } else {
        rs.extraEdges++
        rs.independentExtraEdges = (rs.independentExtraEdges ?? 0) + 1
      }
      const a = attributeEdge(k.hasSource, k.src, kind, S.includes(e))
      attr(rs.attribution, a)
      attr(recAttr, a)
      stats.sample(rs.samples, {key: k.legacy.key, field: name, legacy: L, new: N, ...(k.source ? {source: S} : {}), attribution: a, paths: [`${kind}:${e}`]})
    }
    if (unexplained || consequence) rs.recordsMismatched++
    if (unexplained) rs.independentRecords = (rs.independentRecords ?? 0) + 1
    else if (consequence) rs.consequenceRecords = (rs.consequenceRecords ?? 0) + 1
    if (stats.diagnose)
      stats.relationDiag
        .get(rs.relation)
        ?.observe(L.length, ind.missing, ind.extra, recAttr, () => ({key: k.legacy.key, field: name, legacy: L, new: N, ...(k.source ? {source: S} : {})}), k.newRow.props)
  })
  return out
}
