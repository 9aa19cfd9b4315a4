/**
 * The known-differences ledger: accepted differences, each with a rule, a reason, an owner and an
 * expiry date. The differ asks `match()` before it counts a difference as a mismatch; the report
 * shows how many rows each rule absorbed. An expired rule fails the run (exit 2).
 */
import {UsageError} from '../core/errors.js'
import type {LedgerRuleReport, SampleDifference} from '../reports/report-types.js'
import type {LedgerRule, Mapping} from './mapping/schema.js'
import type {Value} from './normalizers.js'
import {segmentValue} from './diagnosis/segments.js'
import {own} from './own.js'

export type RuleClass = LedgerRule['class']

/** What a predicate can look at for one difference. */
export interface DifferenceFacts {
  legacy?: Value
  new?: Value
  newArchived?: boolean
  sourceArchived?: boolean
  /** relation: the legacy FK value is one of the new side's associated records, but not the first */
  fkNotFirst?: boolean
  /** the record's properties (new side; legacy columns for a record missing in new), for `property-is` */
  props?: Record<string, unknown>
}

function holds(rule: LedgerRule, f: DifferenceFacts): boolean {
  switch (rule.when) {
    case 'any':
      return true
    case 'legacy-empty-new-null':
      return f.legacy === '' && (f.new === null || f.new === undefined)
    case 'legacy-null-new-empty':
      return (f.legacy === null || f.legacy === undefined) && f.new === ''
    case 'legacy-prefix-of-new':
      return typeof f.legacy === 'string' && typeof f.new === 'string' && f.legacy.length < f.new.length && f.new.startsWith(f.legacy)
    case 'new-archived':
      return f.newArchived === true
    case 'source-archived':
      return f.sourceArchived === true
    case 'fk-not-first':
      return f.fkNotFirst === true
    case 'property-is':
      return f.props !== undefined && rule.property !== undefined && segmentValue(own(f.props, rule.property)) === segmentValue(rule.value ?? null)
  }
}

/** Tracks which rule absorbed how many differences during one diff run. */
export class Ledger {
  private readonly absorbed = new Map<string, number>()
  private readonly samples = new Map<string, SampleDifference[]>()

  constructor(
    private readonly rules: LedgerRule[],
    private readonly cap = 5,
  ) {
    for (const r of rules) {
      this.absorbed.set(r.id, 0)
      this.samples.set(r.id, [])
    }
  }

  /** The first rule that explains this difference (and count it, keeping a few samples), or undefined. */
  match(entity: string, field: string, cls: RuleClass, facts: DifferenceFacts, sample?: () => SampleDifference): LedgerRule | undefined {
    for (const r of this.rules) {
      if (r.class !== cls) continue
      if (r.entity !== '*' && r.entity !== entity) continue
      if (r.field !== '*' && r.field !== field) continue
      if (!holds(r, facts)) continue
      this.absorbed.set(r.id, (this.absorbed.get(r.id) ?? 0) + 1)
      const kept = this.samples.get(r.id)!
      if (sample && kept.length < this.cap) kept.push(sample())
      return r
    }
    return undefined
  }

  /** One report row per rule. */
  report(today: string): LedgerRuleReport[] {
    return this.rules.map((r) => ({
      id: r.id,
      rule: `${r.class} of ${r.entity}.${r.field} when ${r.when}${r.when === 'property-is' ? ` ${r.property} = ${r.value === null || r.value === undefined || r.value === '' ? '(absent)' : JSON.stringify(r.value)}` : ''}`,
      reason: r.reason,
      owner: r.owner,
      expires: r.expires,
      expired: r.expires < today,
      absorbed: this.absorbed.get(r.id) ?? 0,
      samples: this.samples.get(r.id) ?? [],
    }))
  }
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10)
}

/** Fail (exit 2) when any ledger rule has expired: an accepted difference must be re-reviewed. */
export function assertNoExpiredRules(mapping: Mapping, mappingPath: string, today = todayUtc()): void {
  const expired = mapping.ledger.filter((r) => r.expires < today)
  if (expired.length === 0) return
  const list = expired.map((r) => `"${r.id}" (owner ${r.owner}, expired ${r.expires})`).join(', ')
  throw new UsageError(
    `known-difference rule${expired.length > 1 ? 's' : ''} ${list} in ${mappingPath} ha${expired.length > 1 ? 've' : 's'} expired`,
    'review each difference with its owner, then fix it, extend "expires", or delete the rule from the ledger',
    'LEDGER_EXPIRED',
  )
}
