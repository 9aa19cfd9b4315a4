/**
 * Root causes: every unexplained difference counted once, largest first. A missing record is one
 * root cause per entity and side, carrying the relation differences it causes elsewhere
 * (consequences); a field's differences are one root cause per diagnosed pattern plus the rest; a
 * relation's independent edges likewise. The counts add up to the report's unexplained totals.
 */
import type {Attribution, Diagnosis, EntityReport, ParityReport, RootCause} from '../reports/report-types.js'
import {bump} from './entity-stats.js'

type Attr = Partial<Record<Attribution, number>>

const total = (a: Attr): number => Object.values(a).reduce((x, y) => x + (y ?? 0), 0)
function minus(a: Attr, b: Attr): Attr {
  const out: Attr = {}
  for (const [k, v] of Object.entries(a) as Array<[Attribution, number]>) {
    const r = v - (b[k] ?? 0)
    if (r > 0) out[k] = r
  }
  return out
}
function top(a: Attr): Attribution {
  let best: Attribution = 'unattributed'
  let n = -1
  for (const [k, v] of Object.entries(a) as Array<[Attribution, number]>) if (v > n) [best, n] = [k, v]
  return best
}

function cause(c: Omit<RootCause, 'attribution' | 'consequences'> & {consequences?: RootCause['consequences']}): RootCause {
  return {...c, attribution: top(c.attributions), consequences: c.consequences ?? []}
}

/** Split `count` differences with attribution `attr` by their diagnoses: one root cause per diagnosis, one for the rest. */
function split(base: Omit<RootCause, 'id' | 'count' | 'attribution' | 'attributions' | 'consequences'>, id: string, count: number, attr: Attr, diagnoses: Diagnosis[]): RootCause[] {
  const out: RootCause[] = []
  let rest = count
  let restAttr = attr
  for (const d of diagnoses) {
    if (d.count === 0 || d.count > rest) continue
    const a = d.attribution ?? {}
    out.push(cause({...base, id: `${id}.${d.pattern}`, count: d.count, attributions: a, diagnosis: d.pattern, detail: d.detail, ...(d.suggestion ? {suggestion: d.suggestion} : {})}))
    rest -= d.count
    restAttr = minus(restAttr, a)
  }
  if (rest > 0) out.push(cause({...base, id, count: rest, attributions: total(restAttr) > 0 ? restAttr : {unattributed: rest}}))
  return out
}

/** The root causes of a report's entities, largest first (ties by id). */
export function rootCausesOf(entities: EntityReport[]): RootCause[] {
  const out: RootCause[] = []
  // consequences, by the entity whose missing records cause them
  const conseq = new Map<string, RootCause['consequences']>()
  const addConseq = (key: string, relation: string, count: number): void => {
    if (count > 0) (conseq.get(key) ?? conseq.set(key, []).get(key))?.push({relation, count})
  }
  const targetOf = new Map<string, string>()
  for (const e of entities) for (const r of e.relations) targetOf.set(r.relation, r.association.split('→')[1] ?? '')
  for (const e of entities) {
    for (const r of e.relations) {
      const target = targetOf.get(r.relation) ?? ''
      addConseq(`${target}\u0000missing_in_legacy`, r.relation, r.consequenceMissingEdges ?? 0)
      addConseq(`${target}\u0000missing_in_new`, r.relation, r.consequenceExtraEdges ?? 0)
    }
  }
  for (const e of entities) {
    const classes = e.records?.classes ?? {}
    for (const kind of ['missing_in_legacy', 'missing_in_new', 'duplicate_key'] as const) {
      const c = classes[kind]
      if (!c || c.unexplained === 0) continue
      const d = e.records?.diagnoses?.find((x) => x.recordClass === kind)
      out.push(
        cause({
          id: `${e.entity}.${kind}`,
          entity: e.entity,
          kind,
          count: c.unexplained,
          attributions: total(c.attribution) > 0 ? c.attribution : {unattributed: c.unexplained},
          ...(d ? {diagnosis: d.pattern, detail: d.detail, ...(d.suggestion ? {suggestion: d.suggestion} : {})} : {}),
          consequences: kind === 'duplicate_key' ? [] : (conseq.get(`${e.entity}\u0000${kind}`) ?? []),
        }),
      )
    }
    for (const f of e.fields) if (f.mismatched > 0) out.push(...split({entity: e.entity, kind: 'field', field: f.field}, `${e.entity}.${f.field}`, f.mismatched, f.attribution, f.diagnoses ?? []))
    for (const r of e.relations) {
      const independent = (r.independentMissingEdges ?? r.missingEdges) + (r.independentExtraEdges ?? r.extraEdges)
      if (independent > 0) out.push(...split({entity: e.entity, kind: 'relation', relation: r.relation}, r.relation, independent, r.attribution, r.diagnoses ?? []))
    }
  }
  return out.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** How the report's counts add up, one sentence each (records, differences, root causes). */
export function reconcile(t: ParityReport['totals'], entities: EntityReport[], causes: RootCause[]): string[] {
  let fieldDiffs = 0
  let edges = 0
  let records = 0
  for (const e of entities) {
    for (const f of e.fields) fieldDiffs += f.mismatched
    for (const r of e.relations) edges += (r.independentMissingEdges ?? r.missingEdges) + (r.independentExtraEdges ?? r.extraEdges)
    for (const c of Object.values(e.records?.classes ?? {})) records += c?.unexplained ?? 0
  }
  const sum = causes.reduce((x, c) => x + c.count, 0)
  return [
    `records: ${t.keysCompared} keys = ${t.identical} identical + ${t.modified} modified + ${t.missingInNew} missing in new + ${t.missingInLegacy} missing in legacy + ${t.duplicateKeys} duplicate keys`,
    `differences: ${t.fieldMismatches} unexplained (${fieldDiffs} field values + ${edges} relation edges) + ${t.consequences ?? 0} relation edges that are consequences of missing records; besides, ${t.explained} explained by the ledger and ${t.noise} noise`,
    `root causes: ${causes.length} with ${sum} differences = ${records} unexplained missing or duplicated records + ${fieldDiffs} field values + ${edges} relation edges; each consequence is listed under its missing records, not counted again`,
  ]
}

/** Attribution map sum into `into` (used by totals). */
export function addAttribution(into: Attr, a: Attr): void {
  for (const [k, v] of Object.entries(a) as Array<[Attribution, number]>) bump(into, k, v)
}
