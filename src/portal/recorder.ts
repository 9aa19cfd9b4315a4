/**
 * `crmsync portal record`: crawls a HubSpot portal through the API into a portal snapshot
 * (docs/recorder.md). Resumable: progress lives in `<out>.record-work/` until the snapshot is
 * complete; paced by the budget of the ApiClient it is given; optional deterministic redaction.
 */
import {createHash, randomBytes} from 'node:crypto'
import {resolve} from 'node:path'
import {UsageError} from '../core/errors.js'
import type {ApiClient} from '../core/http-types.js'
import {ENTITIES, type Entity} from '../connectors/hubspot/objects.js'
import {Redactor} from './redact.js'
import {assembleSnapshot} from './record/assemble.js'
import {deriveAssociationTypes} from './record/association-types.js'
import {crawlAssociations} from './record/crawl-associations.js'
import {crawlRecords} from './record/crawl-records.js'
import {discoverObjectTypes} from './record/discover.js'
import {WorkFolder, workDirFor} from './record/work-state.js'
import {assertWritableTarget} from './snapshot-writer.js'

export interface RecordOptions {
  out: string
  api: ApiClient
  /** base URL the client talks to (URL-length chunking; written to the manifest) */
  baseUrl: string
  entities?: Entity[]
  /** property names to replace with deterministic fakes */
  redact?: string[]
  /** key of the fakes; the same salt gives the same fakes across runs (default: random per recording) */
  redactSalt?: string
  gzip?: boolean
  /** replace a non-empty output folder and discard an unfinished recording */
  force?: boolean
  /** portal id when no custom object reveals it */
  portalId?: number
  /** longest list URL to build (default LIMITS.maxUrlLength); property lists are chunked to fit */
  maxUrlLength?: number
  signal?: AbortSignal
  onProgress?: (p: RecordProgress) => void
}

export interface RecordProgress {
  step: 'discover' | 'records' | 'associations' | 'assemble'
  entity?: string
  /** records step: the count is of the archived list (counted from 0 after the live list) */
  archived?: boolean
  count: number
}

export interface RecordResult {
  out: string
  portalId: number
  resumed: boolean
  objects: Array<{name: string; objectTypeId: string; count: number; archivedCount: number; properties: number}>
  associations: number
  associationTypes: number
  redacted: string[]
}

/** Records a portal into `opts.out`. Throws UsageError for bad options, CrmsyncError/ApiError for API failures. */
export async function recordPortal(opts: RecordOptions): Promise<RecordResult> {
  const out = resolve(opts.out)
  const entities = opts.entities ?? [...ENTITIES]
  if (entities.length === 0) throw new UsageError('--entities is empty', `list one or more of ${ENTITIES.join(',')}`, 'BAD_FLAG')
  const redact = opts.redact ?? []
  const force = opts.force ?? false
  await assertWritableTarget(out, force)
  const work = new WorkFolder(workDirFor(out))
  if (force) work.remove()

  let state = work.load()
  const salt = opts.redactSalt ?? state?.generatedSalt ?? randomBytes(16).toString('hex')
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({baseUrl: opts.baseUrl, entities: [...entities].sort(), redact: [...redact].sort(), salt: createHash('sha256').update(salt).digest('hex'), portalId: opts.portalId ?? null}))
    .digest('hex')
  const resumed = state !== null
  if (state && state.fingerprint !== fingerprint) {
    throw new UsageError(
      `an unfinished recording in ${work.dir} was started with different options (base URL, --entities, --redact, --redact-salt or --portal-id)`,
      'rerun with the same options to resume it, or pass --force to discard it and start over',
      'WORK_MISMATCH',
    )
  }
  if (!state) {
    opts.onProgress?.({step: 'discover', count: 0})
    const found = await discoverObjectTypes(opts.api, entities, opts.portalId, opts.signal)
    state = {version: 1, fingerprint, portalId: found.portalId, objectTypes: found.objectTypes, lists: {}, associations: {doneFromTypes: [], lastFromId: null, bytes: 0, count: 0, seen: {}}}
    // a salt we made up must survive a resume, or the fakes would change half-way
    if (opts.redactSalt === undefined) state.generatedSalt = salt
    work.create()
    work.save(state)
  }
  const st = state
  const redactor = new Redactor(redact, salt)
  const deps = {
    api: opts.api,
    baseUrl: opts.baseUrl,
    maxUrlLength: opts.maxUrlLength,
    work,
    state: st,
    redactor,
    signal: opts.signal,
    onPage: (entity: string, archived: boolean, count: number) => opts.onProgress?.({step: 'records', entity, archived, count}),
  }
  for (const ot of st.objectTypes) {
    await crawlRecords(deps, ot, false)
    await crawlRecords(deps, ot, true)
  }
  await crawlAssociations(opts.api, work, st, opts.signal, (count) => opts.onProgress?.({step: 'associations', count}))
  const associationTypes = await deriveAssociationTypes(opts.api, st, opts.signal)
  opts.signal?.throwIfAborted()
  opts.onProgress?.({step: 'assemble', count: 0})
  const manifest = await assembleSnapshot(work, st, {out, gzip: opts.gzip ?? false, overwrite: force, baseUrl: opts.baseUrl, redacted: redact, associationTypes})
  work.remove()
  return {
    out,
    portalId: manifest.portalId,
    resumed,
    objects: manifest.objects.map((o) => ({name: o.name, objectTypeId: o.objectTypeId, count: o.count, archivedCount: o.archivedCount, properties: o.properties.length})),
    associations: manifest.associations.count,
    associationTypes: manifest.associationTypes.length,
    redacted: redact,
  }
}
