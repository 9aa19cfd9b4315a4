/**
 * The keyed merge of one entity: legacy rows and new-side records are read sorted by key from the
 * staging database (two cursors on two connections) and walked in lockstep, so memory holds one
 * key's rows at a time. Each key is identical, modified, missing in new, missing in legacy or a
 * duplicate key.
 */
import type Database from 'better-sqlite3'
import {Presence} from './consequences.js'
import {attributeMissingInLegacy, attributeMissingInNew, sourceFacts, type SourceFacts} from './attribution.js'
import {EntityStats} from './entity-stats.js'
import type {Ledger} from './ledger.js'
import type {LoadedMapping} from './mapping/load.js'
import {compareRecord} from './record-compare.js'
import type {EntityReport} from '../reports/report-types.js'
import {KeyLookup, legacyRows, recRows, type LegacyRow, type RecRow} from './staged-rows.js'
import {SIDE} from './staging.js'

/** Connections and switches for one diff run. */
export interface DiffConnections {
  legacyDb: Database.Database
  newDb: Database.Database
  lookupDb: Database.Database
  hasSource: boolean
  hasBaseline: boolean
  snapshotAtMs: number
  /** classify differences into patterns (default true; off only to measure the plain diff) */
  diagnose?: boolean
  /** "now" for suggested ledger expiry dates */
  nowMs?: number
  /** told every key with an unexplained difference a source could attribute (`--adjudicate` reads them live) */
  onDisputed?: (entity: string, key: string) => void
}

/** Groups adjacent rows with equal keys. */
function* grouped<T extends {key: string}>(it: Iterator<T>): Generator<T[]> {
  let cur = it.next()
  while (!cur.done) {
    const group = [cur.value]
    cur = it.next()
    while (!cur.done && cur.value.key === group[0].key) {
      group.push(cur.value)
      cur = it.next()
    }
    yield group
  }
}

/** Diff one entity; returns its report section. */
export function diffEntity(lm: LoadedMapping, ledger: Ledger, c: DiffConnections, entity: string): EntityReport {
  const em = lm.mapping.entities[entity]
  const stats = new EntityStats(entity, em.model, lm.mapping.samples, c.diagnose !== false)
  const lookup = new KeyLookup(c.lookupDb, lm.mapping, entity)
  const presence = new Presence(c.lookupDb, lm.mapping)
  const rd = stats.recordDiag
  const modProp = em.modifiedProperty
  const facts = (src: RecRow | undefined): SourceFacts =>
    sourceFacts(src && {archived: src.archived, modifiedAt: (modProp ? src.props[modProp] : null) ?? src.updatedAt, createdAt: src.createdAt, archivedAt: src.archivedAt}, c.snapshotAtMs)
  const source = (key: string): RecRow | undefined => (c.hasSource ? lookup.rec('src', key) : undefined)

  const L = grouped<LegacyRow>(legacyRows(c.legacyDb, lm.mapping, entity, SIDE.legacy))
  const N = grouped<RecRow>(recRows(c.newDb, lm.mapping, entity, 'new'))
  let l = L.next()
  let n = N.next()
  while (!l.done || !n.done) {
    const lk = l.done ? undefined : l.value[0].key
    const nk = n.done ? undefined : n.value[0].key
    if (lk !== undefined && (nk === undefined || lk < nk)) {
      stats.counts.legacyRows += l.value.length
      rd.present('legacy', lk)
      onLegacyOnly(l.value, lk)
      l = L.next()
    } else if (nk !== undefined && (lk === undefined || nk < lk)) {
      stats.counts.newRows += n.value.length
      rd.present('new', nk)
      onNewOnly(n.value, nk)
      n = N.next()
    } else {
      stats.counts.legacyRows += l.value.length
      stats.counts.newRows += n.value.length
      rd.present('legacy', lk as string)
      rd.present('new', lk as string)
      onBoth(l.value, n.value, lk as string)
      l = L.next()
      n = N.next()
    }
  }
  return stats.toReport(c.nowMs)

  function duplicate(key: string, side: 'legacy' | 'new', count: number): void {
    const a = c.hasSource ? (side === 'legacy' ? 'legacy_defect' : 'new_regression') : 'unattributed'
    const explained = ledger.match(entity, '*', 'duplicate_key', {}, () => ({key, legacy: side === 'legacy' ? count : 1, new: side === 'new' ? count : 1})) !== undefined
    stats.missing('duplicate_key', {key, legacy: side === 'legacy' ? count : 1, new: side === 'new' ? count : 1, attribution: a}, explained)
  }

  function onLegacyOnly(rows: LegacyRow[], key: string): void {
    if (rows.length > 1) return duplicate(key, 'legacy', rows.length)
    const src = source(key)
    const f = facts(src)
    const explained = ledger.match(entity, '*', 'missing_in_new', {sourceArchived: f.archived, props: rows[0].fields}, () => ({key, legacy: rows[0].fields, new: null})) !== undefined
    const s = {key, legacy: rows[0].fields, new: null, ...(c.hasSource ? {source: src ? (src.archived ? 'archived' : 'live') : 'absent'} : {}), attribution: attributeMissingInNew(c.hasSource, f)}
    stats.missing('missing_in_new', s, explained)
    if (!explained) c.onDisputed?.(entity, key)
    if (!explained && stats.diagnose) rd.lacking('new', key, () => s, rows[0].fields, s.attribution)
  }

  function onNewOnly(rows: RecRow[], key: string): void {
    if (rows.length > 1) return duplicate(key, 'new', rows.length)
    const src = source(key)
    const f = facts(src)
    const r = rows[0]
    const explained =
      ledger.match(entity, '*', 'missing_in_legacy', {newArchived: r.archived, sourceArchived: f.archived, props: r.props}, () => ({key, legacy: null, new: r.archived ? 'archived' : 'live'})) !==
      undefined
    const s = {
      key,
      legacy: null,
      new: r.archived ? 'archived' : 'live',
      ...(c.hasSource ? {source: src ? (src.archived ? 'archived' : 'live') : 'absent'} : {}),
      attribution: attributeMissingInLegacy(c.hasSource, f, r.archived),
    }
    stats.missing('missing_in_legacy', s, explained)
    if (!explained) c.onDisputed?.(entity, key)
    if (!explained && stats.diagnose) rd.lacking('legacy', key, () => s, r.props, s.attribution)
  }

  function onBoth(ls: LegacyRow[], ns: RecRow[], key: string): void {
    if (ls.length > 1) return duplicate(key, 'legacy', ls.length)
    if (ns.length > 1) return duplicate(key, 'new', ns.length)
    const src = source(key)
    const baseline = c.hasBaseline ? lookup.legacy(SIDE.baseline, key) : undefined
    // the records both sides hold, per side: the "others" of every segment (diagnosis/segments.ts)
    if (stats.diagnose) stats.segmentPopulations(ls[0].fields, ns[0].props)
    const out = compareRecord(lm, ledger, stats, {entity, legacy: ls[0], newRow: ns[0], source: src, baseline, src: facts(src), hasSource: c.hasSource, presence})
    if (out.differences > out.explained + out.consequences) c.onDisputed?.(entity, key)
    if (out.differences === 0) stats.counts.identical++
    else {
      stats.counts.modified++
      if (out.explained === out.differences) stats.explainedRecords++
      else if (out.explained + out.consequences === out.differences) stats.consequenceOnlyRecords++
      else stats.unexplainedRecords++
    }
  }
}
