/**
 * `crmsync parity init-mapping`: a team's own copy of the reference mapping
 * (fixtures/mappings/legacy-django.json, the schema of docs/legacy-schema.md) with every ledger
 * rule owned by the team and expiring soon enough to be reviewed, never "some day".
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {stringify as toYaml} from 'yaml'
import {UsageError} from '../../core/errors.js'
import {writeFileAtomic} from '../../reports/atomic-write.js'
import {packageRoot} from '../run-command.js'
import {validateMapping} from './load.js'

export interface InitMappingRequest {
  out: string
  owner: string
  /** days from `today` until every ledger rule expires */
  expiresInDays: number
  /** replace an existing file */
  force?: boolean
  /** the reference mapping to copy (default: the shipped one) */
  from?: string
  today?: Date
}

export interface InitMappingResult {
  out: string
  from: string
  owner: string
  expires: string
  rules: Array<{id: string; owner: string; expires: string}>
}

/** The shipped reference mapping. */
export function referenceMapping(): string {
  return join(packageRoot(), 'fixtures', 'mappings', 'legacy-django.json')
}

/** Write the copy (JSON, or YAML for a .yaml/.yml name) atomically; UsageError (exit 2) on bad input or an existing file without `force`. */
export async function initMapping(req: InitMappingRequest): Promise<InitMappingResult> {
  const owner = req.owner.trim()
  if (!owner) throw new UsageError('--owner is empty', 'name the team or person who answers for the accepted differences, e.g. --owner data-platform', 'BAD_OWNER')
  if (!Number.isFinite(req.expiresInDays) || req.expiresInDays < 1) throw new UsageError(`--expires-in must be at least one day`, 'give e.g. --expires-in 90d', 'BAD_EXPIRES_IN')
  if (existsSync(req.out) && !req.force) throw new UsageError(`${req.out} already exists`, 'choose another --out, or pass --force to replace it', 'FILE_EXISTS')
  const from = req.from ?? referenceMapping()
  const raw = JSON.parse(readFileSync(from, 'utf8')) as {ledger?: Array<Record<string, unknown>>}
  const today = req.today ?? new Date()
  const expires = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) + Math.ceil(req.expiresInDays) * 86_400_000).toISOString().slice(0, 10)
  for (const rule of raw.ledger ?? []) {
    rule.owner = owner
    rule.expires = expires
  }
  validateMapping(raw, req.out) // what is written must load
  const text = /\.ya?ml$/i.test(req.out) ? toYaml(raw) : `${JSON.stringify(raw, null, 2)}\n`
  await writeFileAtomic(req.out, text)
  return {out: req.out, from, owner, expires, rules: (raw.ledger ?? []).map((r) => ({id: String(r.id), owner, expires}))}
}
