/**
 * Shared pieces of the portal snapshot format (docs/portal-format.md): version, file names,
 * big-integer-safe id ordering, and the canonical association ordering.
 */
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {ASSOCIATION_PAIRS} from '../connectors/hubspot/objects.js'
import {compareIds, compareStrings} from '../core/ids.js'
import type {AssociationRow} from '../core/records.js'

/** The only snapshot format version this build reads and writes. */
export const FORMAT_VERSION = 1 as const
export const MANIFEST_FILE = 'manifest.json'
export const ASSOCIATIONS_BASENAME = 'associations'

/** File name of an entity's records (or of the associations) inside a snapshot folder. */
export function dataFileName(basename: string, gzip: boolean): string {
  return `${basename}.ndjson${gzip ? '.gz' : ''}`
}

const ID_RE = /^(0|[1-9][0-9]*)$/

/** True when `id` is a HubSpot record id: a digit string without leading zeros. */
export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_RE.test(id)
}

/** Canonical association order: fromType, fromId (numeric), toType, toId (numeric). */
export function compareAssociationRows(a: Pick<AssociationRow, 'fromType' | 'fromId' | 'toType' | 'toId'>, b: Pick<AssociationRow, 'fromType' | 'fromId' | 'toType' | 'toId'>): number {
  return compareStrings(a.fromType, b.fromType) || compareIds(a.fromId, b.fromId) || compareStrings(a.toType, b.toType) || compareIds(a.toId, b.toId)
}

/** True when from→to is the canonical direction of an association pair in scope. */
export function isCanonicalPair(fromType: string, toType: string): boolean {
  return ASSOCIATION_PAIRS.some(([f, t]) => f === fromType && t === toType)
}

let cachedVersion: string | undefined
/** crmsync's version from its package.json (works from src/ under vitest and from dist/). */
export function toolVersion(): string {
  if (cachedVersion) return cachedVersion
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json')
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as {name?: string; version?: string}
      if (pkg.name === 'crmsync' && pkg.version) return (cachedVersion = pkg.version)
    }
    dir = dirname(dir)
  }
  return (cachedVersion = '0.0.0')
}
