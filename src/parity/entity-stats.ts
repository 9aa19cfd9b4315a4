/** Accumulators for one entity's report: record classes, per-field and per-relation stats, samples. */
import type {Attribution, EntityReport, FieldStats, RecordClass, RelationStats, SampleDifference} from '../reports/report-types.js'
import {RecordDiagnoser} from './diagnosis/records.js'
import {RelationDiagnoser} from './diagnosis/relations.js'
import {Population} from './diagnosis/segments.js'
import {FieldDiagnoser} from './diagnosis/values.js'
import type {FieldMapping} from './mapping/schema.js'

type MissingClass = Exclude<RecordClass, 'identical' | 'modified'>

/** Builds an EntityReport while the differ walks one entity. */
export class EntityStats {
  readonly counts: EntityReport['counts'] = {identical: 0, modified: 0, missing_in_new: 0, missing_in_legacy: 0, duplicate_key: 0, legacyRows: 0, newRows: 0}
  explainedRecords = 0
  unexplainedRecords = 0
  readonly fields = new Map<string, FieldStats>()
  readonly relations = new Map<string, RelationStats>()
  readonly samples: Partial<Record<MissingClass, SampleDifference[]>> = {}
  readonly recordAttribution: Partial<Record<Attribution, number>> = {}
  readonly classes: NonNullable<NonNullable<EntityReport['records']>['classes']> = {}
  recordExplained = 0
  /** modified records whose only unexplained differences are consequences of missing records */
  consequenceOnlyRecords = 0
  readonly fieldDiag = new Map<string, FieldDiagnoser>()
  readonly relationDiag = new Map<string, RelationDiagnoser>()
  readonly recordDiag: RecordDiagnoser
  /** the records both sides hold: their new-side properties and their legacy columns (segments' "others") */
  readonly matchedNew = new Population()
  readonly matchedLegacy = new Population()

  constructor(
    readonly entity: string,
    readonly legacyModel: string,
    private readonly cap: number,
    /** classify differences into patterns (off only to measure the diff without diagnosis) */
    readonly diagnose = true,
  ) {
    this.recordDiag = new RecordDiagnoser(entity)
  }

  field(field: string, property: string): FieldStats {
    let f = this.fields.get(field)
    if (!f) {
      f = {field, property, compared: 0, mismatched: 0, explained: 0, noise: 0, attribution: {}, samples: [], normalizedEqual: {}}
      this.fields.set(field, f)
    }
    return f
  }

  /** A record both sides hold (for segments). */
  segmentPopulations(legacyFields: Record<string, unknown>, newProps: Record<string, unknown>): void {
    this.matchedLegacy.add(legacyFields)
    this.matchedNew.add(newProps)
  }

  diagnoser(field: string, fm: FieldMapping): FieldDiagnoser {
    let d = this.fieldDiag.get(field)
    if (!d) this.fieldDiag.set(field, (d = new FieldDiagnoser(this.entity, field, fm)))
    return d
  }

  relation(name: string, association: string, kind: 'fk' | 'm2m', relName = name): RelationStats {
    let r = this.relations.get(name)
    if (!r) {
      r = {
        relation: name,
        association,
        kind,
        recordsCompared: 0,
        recordsMismatched: 0,
        missingEdges: 0,
        extraEdges: 0,
        explained: 0,
        noise: 0,
        attribution: {},
        samples: [],
        consequenceMissingEdges: 0,
        independentMissingEdges: 0,
        consequenceExtraEdges: 0,
        independentExtraEdges: 0,
        consequenceRecords: 0,
        independentRecords: 0,
      }
      this.relations.set(name, r)
      this.relationDiag.set(name, new RelationDiagnoser(this.entity, name, relName, kind))
    }
    return r
  }

  sample(list: SampleDifference[], s: SampleDifference): void {
    if (list.length < this.cap) list.push(s)
  }

  /** A whole record in a non-identical, non-modified class. */
  missing(cls: MissingClass, s: SampleDifference, explained: boolean): void {
    this.counts[cls]++
    if (explained) {
      this.explainedRecords++
      this.recordExplained++
    } else {
      this.unexplainedRecords++
      const k = (this.classes[cls] ??= {unexplained: 0, attribution: {}})
      k.unexplained++
      if (s.attribution) {
        bump(this.recordAttribution, s.attribution)
        bump(k.attribution, s.attribution)
      }
    }
    // an explained record is nobody's fault: its sample carries no attribution
    const {attribution, ...rest} = s
    this.sample((this.samples[cls] ??= []), explained ? rest : {...rest, ...(attribution ? {attribution} : {})})
  }

  toReport(nowMs = Date.now()): EntityReport {
    const c = this.counts
    if (this.diagnose) {
      for (const [name, f] of this.fields) f.diagnoses = this.fieldDiag.get(name)?.finish(nowMs, f, this.matchedNew) ?? []
      for (const [name, r] of this.relations) r.diagnoses = this.relationDiag.get(name)?.finish(nowMs, this.matchedNew) ?? []
    }
    const compared = c.identical + c.modified + c.missing_in_new + c.missing_in_legacy + c.duplicate_key
    return {
      entity: this.entity,
      legacyModel: this.legacyModel,
      counts: c,
      explainedRecords: this.explainedRecords,
      matchRate: compared === 0 ? 1 : (c.identical + this.explainedRecords) / compared,
      unexplainedMismatchRate: compared === 0 ? 0 : this.unexplainedRecords / compared,
      fields: [...this.fields.values()],
      relations: [...this.relations.values()],
      samples: this.samples,
      records: {
        attribution: this.recordAttribution,
        explained: this.recordExplained,
        classes: this.classes,
        ...(this.diagnose ? {diagnoses: this.recordDiag.finish(nowMs, {legacy: this.matchedNew, new: this.matchedLegacy})} : {}),
      },
    }
  }
}

/** Increment one attribution bucket. */
export function bump(a: Partial<Record<Attribution, number>>, k: Attribution, by = 1): void {
  a[k] = (a[k] ?? 0) + by
}
