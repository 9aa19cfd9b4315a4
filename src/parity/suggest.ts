/**
 * `crmsync parity suggest`: write a new mapping with the chosen root causes' suggestions applied, so
 * the loop is diff → read the root causes → accept some suggestions → diff again. A suggestion's
 * fragment is merged into the mapping: objects merged key by key, `ledger` rules appended (a rule
 * whose id exists is skipped), other arrays replaced. The result is validated before it is written.
 */
import {readFileSync} from 'node:fs'
import {parse as parseYaml, stringify as toYaml} from 'yaml'
import {UsageError} from '../core/errors.js'
import {writeFileAtomic} from '../reports/atomic-write.js'
import type {RootCause} from '../reports/report-types.js'
import {readReportDir} from '../reports/validate.js'
import {validateMapping} from './mapping/load.js'

export interface SuggestOptions {
  reportDir: string
  mapping: string
  out: string
  /** root cause ids to apply (default: every root cause with a suggestion) */
  only?: string[]
}

export interface SuggestResult {
  out: string
  applied: Array<{id: string; type: string; text: string}>
}

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype'])
type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x)
const put = (o: Obj, k: string, v: unknown): void => void Object.defineProperty(o, k, {value: v, enumerable: true, writable: true, configurable: true})

/** Merge `frag` into `into` (mutates `into`). */
export function mergeFragment(into: Obj, frag: Obj, path = ''): void {
  for (const [k, v] of Object.entries(frag)) {
    if (UNSAFE.has(k)) throw new UsageError(`suggestion fragment has an unsafe key "${k}" at ${path || '(top level)'}`, 'the report.json was edited; re-run the parity diff')
    const cur = Object.hasOwn(into, k) ? into[k] : undefined
    if (path === '' && k === 'ledger' && Array.isArray(v)) {
      const list = Array.isArray(cur) ? cur : []
      const ids = new Set(list.map((r) => (isObj(r) ? r.id : undefined)))
      put(into, k, [...list, ...v.filter((r) => !(isObj(r) && ids.has(r.id)))])
    } else if (isObj(v) && isObj(cur)) mergeFragment(cur, v, `${path}${k}.`)
    else put(into, k, isObj(v) ? structuredClone(v) : v)
  }
}

/** Apply the chosen suggestions of `reportDir/report.json` to the mapping and write `out`. */
export async function suggestMapping(o: SuggestOptions): Promise<SuggestResult> {
  const report = await readReportDir(o.reportDir)
  const causes: RootCause[] = report.rootCauses ?? []
  const withSuggestion = causes.filter((c) => c.suggestion)
  if (o.only && o.only.length > 0) {
    const known = new Set(withSuggestion.map((c) => c.id))
    const bad = o.only.filter((id) => !known.has(id))
    if (bad.length > 0)
      throw new UsageError(
        `no root cause with a suggestion has the id ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
        `use ids from the report's root causes: ${[...known].join(', ') || '(none has a suggestion)'}`,
        'SUGGEST_ID',
      )
  }
  const chosen = o.only && o.only.length > 0 ? withSuggestion.filter((c) => o.only?.includes(c.id)) : withSuggestion
  if (chosen.length === 0)
    throw new UsageError(`${o.reportDir}/report.json has no suggestion to apply`, 'run `crmsync parity diff` with this crmsync version (schemaVersion 2 reports carry suggestions)', 'SUGGEST_NONE')
  let text: string
  try {
    text = readFileSync(o.mapping, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read mapping file ${o.mapping}: ${(e as Error).message}`, 'pass the mapping the report was made with, with --mapping')
  }
  const yaml = (p: string): boolean => /\.ya?ml$/i.test(p)
  let raw: unknown
  try {
    raw = yaml(o.mapping) ? parseYaml(text) : JSON.parse(text)
  } catch (e) {
    throw new UsageError(`mapping file ${o.mapping} cannot be parsed: ${(e as Error).message}`, 'fix the syntax error at the position shown')
  }
  if (!isObj(raw)) throw new UsageError(`mapping file ${o.mapping} is not an object`, 'pass a crmsync mapping file')
  for (const c of chosen) mergeFragment(raw, c.suggestion?.mapping ?? {})
  validateMapping(raw, o.out) // refuse to write a mapping crmsync would not load
  await writeFileAtomic(o.out, yaml(o.out) ? toYaml(raw) : `${JSON.stringify(raw, null, 2)}\n`)
  return {out: o.out, applied: chosen.map((c) => ({id: c.id, type: c.suggestion?.type ?? '', text: c.suggestion?.text ?? ''}))}
}
