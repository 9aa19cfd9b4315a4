/**
 * Load and validate a mapping file (JSON or YAML). Every error names the key path, what is wrong,
 * and for a typo of a known key or normalizer, the closest known name.
 */
import {readFileSync} from 'node:fs'
import {parse as parseYaml} from 'yaml'
import type {z} from 'zod'
import {UsageError} from '../../core/errors.js'
import {didYouMean} from '../did-you-mean.js'
import {compileNormalizers, type FieldComparator, NormalizerSpecError} from '../normalizers.js'
import {type Mapping, mappingSchema} from './schema.js'

/** A validated mapping with every field's normalizers compiled. */
export interface LoadedMapping {
  path: string
  mapping: Mapping
  /** comparators[entity][legacyField] → {legacy, new} comparators */
  comparators: Record<string, Record<string, {legacy: FieldComparator; new: FieldComparator}>>
}

/** Read, parse and validate the mapping at `path`; throws UsageError (exit 2) on any problem. */
export function loadMapping(path: string): LoadedMapping {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read mapping file ${path}: ${(e as Error).message}`, 'pass an existing file with --mapping, e.g. fixtures/mappings/legacy-django.json')
  }
  let raw: unknown
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new UsageError(`mapping file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`, 'fix the syntax error at the position shown')
  }
  return validateMapping(raw, path)
}

/** Validate an already parsed mapping object. */
export function validateMapping(raw: unknown, path = '<mapping>'): LoadedMapping {
  const parsed = mappingSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((i) => describeIssue(i, raw))
    throw new UsageError(`invalid mapping file ${path}:\n${lines.map((l) => `  - ${l}`).join('\n')}`, 'fix the keys named above (docs/mapping-file.md lists every key)', 'MAPPING')
  }
  const mapping = parsed.data
  const problems: string[] = []
  const comparators: LoadedMapping['comparators'] = {}
  for (const [entity, em] of Object.entries(mapping.entities)) {
    comparators[entity] = {}
    for (const [field, fm] of Object.entries(em.fields)) {
      try {
        comparators[entity][field] = {
          // directional: representation normalizers turn the new value into the legacy form; legacy is compared as it is
          legacy: compileNormalizers(fm.normalize, 'legacy', fm.normalizeLegacy ?? []),
          new: compileNormalizers(fm.normalize, 'new', fm.normalizeNew ?? []),
        }
      } catch (e) {
        if (!(e instanceof NormalizerSpecError)) throw e
        problems.push(`entities.${entity}.fields.${field}.normalize: ${e.message}`)
      }
      if (field in em.ignore) problems.push(`entities.${entity}.ignore.${field}: the field is both compared and ignored; remove one`)
    }
    for (const [rel, rm] of Object.entries(em.relations)) {
      if (!(rm.target in mapping.entities)) {
        const hint = didYouMean(rm.target, Object.keys(mapping.entities))
        problems.push(`entities.${entity}.relations.${rel}.target: unknown entity "${rm.target}"${hint ? ` (did you mean "${hint}"?)` : ''}`)
      }
    }
  }
  mapping.ledger.forEach((r, i) => {
    if (r.entity !== '*' && !(r.entity in mapping.entities)) {
      const hint = didYouMean(r.entity, Object.keys(mapping.entities))
      problems.push(`ledger[${i}] (${r.id}).entity: unknown entity "${r.entity}"${hint ? ` (did you mean "${hint}"?)` : ''}`)
    } else if (r.entity !== '*' && r.field !== '*') {
      const em = mapping.entities[r.entity]
      const known = [...Object.keys(em.fields), ...Object.keys(em.relations)]
      if (!known.includes(r.field)) {
        const hint = didYouMean(r.field, known)
        problems.push(`ledger[${i}] (${r.id}).field: "${r.field}" is not a compared field or relation of ${r.entity}${hint ? ` (did you mean "${hint}"?)` : ''}`)
      }
    }
  })
  const ids = mapping.ledger.map((r) => r.id)
  const dup = ids.find((id, i) => ids.indexOf(id) !== i)
  if (dup) problems.push(`ledger: rule id "${dup}" is used twice; ids must be unique`)
  if (problems.length > 0) {
    throw new UsageError(`invalid mapping file ${path}:\n${problems.map((l) => `  - ${l}`).join('\n')}`, 'fix the keys named above (docs/mapping-file.md lists every key and normalizer)', 'MAPPING')
  }
  return {path, mapping, comparators}
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)'
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path, raw)
    return issue.keys
      .map((k) => {
        const hint = didYouMean(k, known)
        return `${path === '(top level)' ? '' : `${path}.`}${k}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}${known.length ? `; known keys: ${known.join(', ')}` : ''}`
      })
      .join('; ')
  }
  return `${path}: ${issue.message}`
}

/** The keys the schema accepts at `path` (for did-you-mean on unknown keys). */
function knownKeysAt(path: readonly PropertyKey[], _raw: unknown): string[] {
  const p = path.map(String)
  const depth = p.length
  const KEYS: Record<string, string[]> = {
    top: Object.keys(mappingSchema.shape),
    legacy: ['snapshotAt', 'syncedAtField', 'ignoreModels', 'strictModels', 'minOverlap'],
    entity: ['model', 'table', 'key', 'modifiedProperty', 'fields', 'relations', 'ignore'],
    key: ['legacy', 'new'],
    field: ['property', 'normalize', 'normalizeLegacy', 'normalizeNew'],
    relation: ['kind', 'target', 'field', 'column', 'through', 'pick'],
    through: ['table', 'sourceColumn', 'targetColumn'],
    rule: ['id', 'entity', 'field', 'class', 'when', 'reason', 'owner', 'expires'],
    verdict: ['maxNewRegressions', 'maxUnexplainedMismatchRate', 'maxErrorRate', 'minPerformanceRatio'],
  }
  if (depth === 0) return KEYS.top
  if (p[0] === 'legacy') return KEYS.legacy
  if (p[0] === 'verdict') return KEYS.verdict
  if (p[0] === 'ledger') return KEYS.rule
  if (p[0] === 'entities') {
    if (depth === 2) return KEYS.entity
    if (p[2] === 'key') return KEYS.key
    if (p[2] === 'fields' && depth === 4) return KEYS.field
    if (p[2] === 'relations' && depth === 4) return KEYS.relation
    if (p[2] === 'relations' && depth === 5) return KEYS.through
  }
  return []
}
