/**
 * The legacy simulator: from a source portal snapshot, write the snapshot the legacy Django system
 * would produce (documented behaviours 1–9), optionally a noise-baseline snapshot and the store a
 * correct new sync would produce, with deliberate differences injected; returns the exact report
 * counts and attributions those injections (and the documented behaviours) must produce.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import Database from 'better-sqlite3'
import type {AssociationRow, CrmRecord, PropertyDefinition} from '../core/records.js'
import {openStore} from '../store/open.js'
import {compareIdText} from './attribution.js'
import {bump} from './entity-stats.js'
import {DJANGO_MODELS, DJANGO_RELATIONS, FIELD_SOURCES, legacyPk, legacyValue, type DjangoEntity} from './legacy-django.js'
import {legacyWriter, type LegacyFormat, type LegacyWriter} from './legacy-writers.js'
import {parseInstant} from './normalizers.js'
import type {Attribution} from '../reports/report-types.js'
import {corrupt, eligible, FIELD_ATTRIBUTION, tasksOf, type EntityInjections, type Task} from './simulator-plan.js'
import type {SourceSnapshot} from './staging.js'

export type {EntityInjections} from './simulator-plan.js'

export interface SimulateOptions {
  source: SourceSnapshot
  /** property definitions per entity for the store's typed columns (default: every property as string) */
  properties?: Record<string, PropertyDefinition[]>
  legacy: {path: string; format: LegacyFormat}
  /** a second legacy snapshot, identical but for the `noise` injections */
  baseline?: {path: string; format: LegacyFormat}
  /** write the store a correct new sync would produce (with the `new` injections) */
  store?: string
  /** when the legacy snapshot was taken: every row's last_synced_at is at or before it */
  snapshotAt: string
  inject?: Partial<Record<DjangoEntity, EntityInjections>>
  /** undocumented legacy defects for the demo: phone cut to N characters */
  truncatePhone?: number
  seed?: number
}

export interface ExpectedEntity {
  counts: {identical: number; modified: number; missing_in_new: number; missing_in_legacy: number; duplicate_key: number}
  fields: Record<string, {mismatched: number; noise: number; explained: number; attribution: Partial<Record<Attribution, number>>}>
  relations: Record<string, {missingEdges: number; extraEdges: number; attribution: Partial<Record<Attribution, number>>}>
  records: {attribution: Partial<Record<Attribution, number>>; explained: number}
}

export interface SimulationResult {
  entities: Record<string, ExpectedEntity>
  /** ledger rule id (of fixtures/mappings/legacy-django.json) → rows it must absorb */
  ledger: Record<string, number>
  legacyRows: number
}

const ORDER: DjangoEntity[] = ['divisions', 'contacts', 'deals', 'appointments']
const MODIFIED: Record<DjangoEntity, string> = {divisions: 'hs_lastmodifieddate', contacts: 'lastmodifieddate', deals: 'hs_lastmodifieddate', appointments: 'hs_lastmodifieddate'}

/** Simulate the legacy system (and a correct new sync) on `opts.source`. */
export async function simulateLegacy(opts: SimulateOptions): Promise<SimulationResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'crmsync-sim-'))
  const adb = new Database(join(tmp, 'assoc.db'))
  try {
    return await run(opts, adb)
  } finally {
    adb.close()
    rmSync(tmp, {recursive: true, force: true})
  }
}

async function run(opts: SimulateOptions, adb: Database.Database): Promise<SimulationResult> {
  const T = parseInstant(opts.snapshotAt)
  const seed = opts.seed ?? 1
  adb.pragma('journal_mode = OFF')
  adb.exec('CREATE TABLE a (fe TEXT, fi TEXT, te TEXT, ti TEXT)')
  const insA = adb.prepare('INSERT INTO a VALUES (?, ?, ?, ?)')
  const assocRows: AssociationRow[] = []
  const flushA = adb.transaction((rows: AssociationRow[]) => rows.forEach((r) => insA.run(r.fromType, r.fromId, r.toType, r.toId)))
  for await (const r of opts.source.associations()) {
    assocRows.push(r)
    if (assocRows.length >= 5000) flushA(assocRows.splice(0))
  }
  flushA(assocRows.splice(0))
  adb.exec('CREATE INDEX a_f ON a (fe, fi, te); CREATE INDEX a_t ON a (te, ti, fe)')
  const touch = adb.prepare('SELECT 1 FROM a WHERE (fe = ? AND fi = ?) OR (te = ? AND ti = ?) LIMIT 1')
  const fwd = adb.prepare('SELECT ti AS id FROM a WHERE fe = ? AND fi = ? AND te = ?').pluck()
  const rev = adb.prepare('SELECT fi AS id FROM a WHERE te = ? AND ti = ? AND fe = ?').pluck()
  const targets = (e: string, id: string, t: string): string[] => [...new Set([...(fwd.all(e, id, t) as string[]), ...(rev.all(e, id, t) as string[])])].sort(compareIdText)

  const legacy = legacyWriter(opts.legacy.path, opts.legacy.format)
  const baseline = opts.baseline ? legacyWriter(opts.baseline.path, opts.baseline.format) : undefined
  const store = opts.store ? openStore(opts.store) : undefined
  const result: SimulationResult = {entities: {}, ledger: {'legacy-empty-strings': 0, 'archived-removed': 0}, legacyRows: 0}
  const safeTargets: Record<string, string[]> = {}
  let syncedTick = 0
  const syncedAt = (): string => new Date(T - (syncedTick++ % 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const writeBoth = async (w: LegacyWriter[], rows: Array<{model: string; pk: number; fields: Record<string, unknown>}>): Promise<void> => {
    for (const r of rows) for (const x of w) await x.write(r)
  }

  try {
    for (const entity of ORDER) {
      const tasks = tasksOf(opts.inject?.[entity], seed + entity.length)
      const plan = await planEntity(opts.source, entity, tasks, T, seed, (id) => !touch.get(entity, id, entity, id), targets)
      const ex: ExpectedEntity = {counts: {identical: 0, modified: 0, missing_in_new: 0, missing_in_legacy: 0, duplicate_key: 0}, fields: {}, relations: {}, records: {attribution: {}, explained: 0}}
      result.entities[entity] = ex
      const fieldEx = (f: string) => (ex.fields[f] ??= {mismatched: 0, noise: 0, explained: 0, attribution: {}})
      const relEx = (f: string) => (ex.relations[`${entity}.${f}`] ??= {missingEdges: 0, extraEdges: 0, attribution: {}})
      if (store) store.ensureEntity({entity, properties: opts.properties?.[entity] ?? []})
      let page: CrmRecord[] = []
      const safe: string[] = (safeTargets[entity] = [])
      for await (const rec of opts.source.records(entity, {archived: 'include'})) {
        const task = plan.get(rec.id)
        let newRec = rec
        if (rec.archived) {
          ex.counts.missing_in_legacy++
          ex.records.explained++
          result.ledger['archived-removed']++
        } else {
          const fields: Record<string, unknown> = {hubspot_id: rec.id}
          for (const [f, p] of Object.entries(FIELD_SOURCES[entity])) fields[f] = legacyValue(entity, f, p === 'createdAt' ? rec.createdAt : p === 'updatedAt' ? rec.updatedAt : rec.properties[p])
          for (const [f, t] of Object.entries(DJANGO_RELATIONS[entity].fk)) {
            const first = targets(entity, rec.id, t)[0]
            fields[f] = first === undefined ? null : legacyPk(t, first)
          }
          for (const [f, t] of Object.entries(DJANGO_RELATIONS[entity].m2m))
            fields[f] = targets(entity, rec.id, t)
              .reverse()
              .map((id) => legacyPk(t, id))
          const base = {...fields}
          let explained = 0
          let unexplained = 0
          if (task && 'field' in task && !task.kind.startsWith('edges')) {
            const p = FIELD_SOURCES[entity][task.field]
            if (task.kind !== 'new') fields[task.field] = corrupt(task.field, fields[task.field], 'x')
            if (task.kind === 'noise') base[task.field] = corrupt(task.field, base[task.field], 'z')
            else base[task.field] = fields[task.field]
            if (task.kind === 'new' || task.kind === 'both') newRec = {...rec, properties: {...rec.properties, [p]: corrupt(task.field, rec.properties[p], 'y') as string}}
            if (task.kind === 'noise') fieldEx(task.field).noise++
            else {
              fieldEx(task.field).mismatched++
              bump(fieldEx(task.field).attribution, FIELD_ATTRIBUTION[task.kind as keyof typeof FIELD_ATTRIBUTION])
              unexplained++
            }
          }
          if (task?.kind === 'edgesDropped') {
            ;(fields[task.field] as number[]).pop()
            base[task.field] = fields[task.field]
            relEx(task.field).missingEdges++
            bump(relEx(task.field).attribution, 'legacy_defect')
            unexplained++
          }
          if (task?.kind === 'edgesAdded') {
            const t = DJANGO_RELATIONS[entity].m2m[task.field]
            const have = new Set(targets(entity, rec.id, t))
            const extra = safeTargets[t].find((id) => !have.has(id))
            if (extra === undefined) throw new Error(`simulator: no ${t} record to add as an extra edge`)
            fields[task.field] = [...(fields[task.field] as number[]), legacyPk(t, extra)]
            base[task.field] = fields[task.field]
            relEx(task.field).extraEdges++
            bump(relEx(task.field).attribution, 'legacy_defect')
            unexplained++
          }
          if (opts.truncatePhone && entity === 'contacts' && typeof fields.phone === 'string' && fields.phone.length > opts.truncatePhone && !(task && 'field' in task && task.field === 'phone')) {
            fields.phone = base.phone = fields.phone.slice(0, opts.truncatePhone)
            if (!task || (!task.kind.startsWith('missing') && task.kind !== 'duplicateKeys')) {
              const changed = parseInstant(rec.properties[MODIFIED[entity]] ?? rec.updatedAt) > T
              fieldEx('phone').mismatched++
              bump(fieldEx('phone').attribution, changed ? 'changed_at_source' : 'legacy_defect')
              unexplained++
            }
          }
          const compared = !task || !['missingInNew', 'missingInLegacy', 'duplicateKeys'].includes(task.kind)
          if (compared) {
            for (const f of DJANGO_MODELS[entity].text) {
              const p = FIELD_SOURCES[entity][f]
              if (newRec.properties[p] === null || newRec.properties[p] === undefined) {
                explained++
                fieldEx(f).explained++
                result.ledger['legacy-empty-strings']++
              }
            }
            if (explained + unexplained === 0) ex.counts.identical++
            else ex.counts.modified++
            if (safe.length < 100) safe.push(rec.id)
          } else if (task.kind === 'missingInNew') {
            ex.counts.missing_in_new++
            bump(ex.records.attribution, 'new_regression')
          } else if (task.kind === 'missingInLegacy') {
            ex.counts.missing_in_legacy++
            bump(ex.records.attribution, 'legacy_defect')
          } else {
            ex.counts.duplicate_key++
            bump(ex.records.attribution, 'legacy_defect')
          }
          const pk = legacyPk(entity, rec.id)
          const synced = syncedAt()
          const rows = [{model: DJANGO_MODELS[entity].model, pk, fields: {...fields, last_synced_at: synced}}]
          const brows = [{model: DJANGO_MODELS[entity].model, pk, fields: {...base, last_synced_at: synced}}]
          if (task?.kind === 'duplicateKeys') {
            rows.push({...rows[0], pk: pk + 1})
            brows.push({...brows[0], pk: pk + 1})
          }
          if (task?.kind !== 'missingInLegacy') {
            await writeBoth([legacy], rows)
            if (baseline) await writeBoth([baseline], brows)
            result.legacyRows += rows.length
          }
        }
        if (store && task?.kind !== 'missingInNew') {
          page.push(newRec)
          if (page.length >= 500) {
            store.applyRecords(`sim:${entity}`, entity, page, null)
            page = []
          }
        }
      }
      if (store && page.length > 0) store.applyRecords(`sim:${entity}`, entity, page, null)
    }
    if (store) writeStoreAssociations(store, adb)
    await legacy.finish()
    if (baseline) await baseline.finish()
  } finally {
    store?.close()
  }
  return result
}

async function planEntity(
  source: SourceSnapshot,
  entity: DjangoEntity,
  tasks: Task[],
  T: number,
  seed: number,
  isolated: (id: string) => boolean,
  targets: (e: string, id: string, t: string) => string[],
): Promise<Map<string, Task>> {
  const plan = new Map<string, Task>()
  if (tasks.length === 0) return plan
  const pending = [...tasks]
  for (const pass of [0, 1]) {
    let i = 0
    for await (const rec of source.records(entity, {archived: 'include'})) {
      if (pending.length === 0) break
      i++
      if (plan.has(rec.id) || (pass === 0 && ((i * 2654435761 + seed) >>> 0) % 3 === 0)) continue
      const modified = parseInstant(rec.properties[MODIFIED[entity]] ?? rec.updatedAt)
      const c = {
        live: !rec.archived,
        changedAfterSnapshot: modified > T,
        isolated: isolated(rec.id),
        nonEmpty: (f: string) => {
          const p = FIELD_SOURCES[entity][f]
          const v = p === 'createdAt' ? rec.createdAt : p === 'updatedAt' ? rec.updatedAt : rec.properties[p]
          return v !== null && v !== undefined && String(v).trim() !== ''
        },
        edges: (f: string) => targets(entity, rec.id, DJANGO_RELATIONS[entity].m2m[f]).length,
      }
      const k = pending.findIndex((t) => eligible(t, c))
      if (k >= 0) plan.set(rec.id, pending.splice(k, 1)[0])
    }
  }
  if (pending.length > 0)
    throw new Error(`simulator: not enough eligible ${entity} records for ${pending.length} injection(s) (${[...new Set(pending.map((t) => t.kind))].join(', ')}); use a bigger source`)
  return plan
}

function writeStoreAssociations(store: ReturnType<typeof openStore>, adb: Database.Database): void {
  const pairs = adb.prepare('SELECT DISTINCT fe, te FROM a').all() as Array<{fe: string; te: string}>
  for (const {fe, te} of pairs) {
    let ids: string[] = []
    let rows: AssociationRow[] = []
    const flush = (): void => {
      if (ids.length > 0) store.replaceAssociations(`sim:${fe}:${te}`, fe, te, ids, rows, null)
      ids = []
      rows = []
    }
    for (const r of adb.prepare('SELECT fi, ti FROM a WHERE fe = ? AND te = ? ORDER BY fi').iterate(fe, te) as IterableIterator<{fi: string; ti: string}>) {
      if (ids[ids.length - 1] !== r.fi) {
        if (ids.length >= 500) flush()
        ids.push(r.fi)
      }
      rows.push({fromType: fe, fromId: r.fi, toType: te, toId: r.ti, types: [{category: 'HUBSPOT_DEFINED', typeId: 1, label: null}]})
    }
    flush()
  }
}
