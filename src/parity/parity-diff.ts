/**
 * `runParityDiff`: the whole `crmsync parity diff` in one function (the `parity run` orchestration
 * calls it too): load the mapping, stage the legacy snapshot, its noise baseline, the crmsync store
 * and the source portal snapshot into a temp SQLite database, merge every entity by key, attribute,
 * decide the verdict and write `<out>/<run-id>/report.json` (+ renders).
 */
import {existsSync} from 'node:fs'
import {dirname} from 'node:path'
import Database from 'better-sqlite3'
import {UsageError} from '../core/errors.js'
import {toolVersion} from '../portal/snapshot-format.js'
import {openPortal} from '../portal/snapshot.js'
import {renderAll} from '../reports/render-all.js'
import {adjudicate, adjudicationClient, DisputedSpool, type AdjudicateOptions} from './adjudicate.js'
import {diffEntity, type DiffConnections} from './entity-differ.js'
import {syncIndex} from './history/report-index.js'
import {assertMappedNamesExist, assertOverlap, assertSomethingMapped, keyOverlap} from './input-sanity.js'
import {assertNoExpiredRules, Ledger, todayUtc} from './ledger.js'
import {loadMapping} from './mapping/load.js'
import {parseInstant} from './normalizers.js'
import {openLegacy} from './readers/open.js'
import {assertWritableOut, newRunId, writeReportDir} from './report-output.js'
import {addAttribution, reconcile, rootCausesOf} from './root-causes.js'
import type {Adjudication, Attribution, EntityReport, ParityReport} from '../reports/report-types.js'
import {openStoreReader} from '../store/open.js'
import {isPostgresUrl} from '../store/postgres/location.js'
import {redactUrl} from '../core/redact-url.js'
import type {StoreReader} from '../core/store-port.js'
import {addDuplicatePkErrors, createStaging, indexStaging, SIDE, stageLegacy, stageSource, stageStore, type SourceSnapshot} from './staging.js'
import {decideVerdict} from './verdict.js'

export interface ParityDiffOptions {
  /** dumpdata JSON/JSONL(.gz) file, CSV folder, SQLite file or postgres:// URL */
  legacy: string
  /** mapping file (JSON or YAML) */
  mapping: string
  /** crmsync store (default: CRMSYNC_DB or crmsync.db) */
  db?: string
  /** source portal snapshot folder, for three-way attribution */
  portal?: string
  /** a second legacy snapshot of the same data: differences between the two are noise */
  noiseBaseline?: string
  /** when the legacy snapshot was taken (ISO 8601) */
  legacySnapshotAt?: string
  /** report root folder (default: reports) */
  out?: string
  runId?: string
  /** wall times measured by `parity run` */
  performance?: ParityReport['performance']
  /** write report.md and report.html beside report.json (default true) */
  render?: boolean
  /** for tests: "today" used for ledger expiry */
  now?: Date
  /** for tests and `parity run`: a source snapshot object instead of `portal` */
  source?: SourceSnapshot
  /** an unmapped legacy model is an input error (also mapping `legacy.strictModels`) */
  strictModels?: boolean
  /** diff even when the two sides share few keys */
  allowLowOverlap?: boolean
  /** receives warnings (unmapped models); the CLI prints them on stderr */
  onWarning?: (message: string) => void
  /** classify differences into patterns (default true; the benchmark turns it off to price it) */
  diagnose?: boolean
  /** told when each phase begins, for a progress display */
  onPhase?(phase: ParityDiffPhase): void
  /** read the disputed records live from the portal as the source side (instead of `portal`) */
  adjudicate?: AdjudicateOptions
}

/** The phases of a diff, in order. */
export type ParityDiffPhase = 'reading legacy' | 'staging' | 'diffing' | 'rendering'

/** Run a parity diff and write its report folder; returns the report and the folder. */
export async function runParityDiff(opts: ParityDiffOptions): Promise<{report: ParityReport; dir: string}> {
  const now = opts.now ?? new Date()
  const lm = loadMapping(opts.mapping)
  assertNoExpiredRules(lm.mapping, opts.mapping, todayUtc(now))
  let flagSnapshotAt = NaN
  if (opts.legacySnapshotAt !== undefined) {
    flagSnapshotAt = parseInstant(opts.legacySnapshotAt)
    if (Number.isNaN(flagSnapshotAt) || !/^\d{4}-\d{2}-\d{2}/.test(opts.legacySnapshotAt))
      throw new UsageError(`--legacy-snapshot-at "${opts.legacySnapshotAt}" is not an ISO 8601 time`, 'pass e.g. --legacy-snapshot-at 2026-11-27T23:00:00Z')
  }
  const out = opts.out ?? 'reports'
  assertWritableOut(out)
  const db = opts.db ?? process.env.CRMSYNC_DB ?? 'crmsync.db'
  // fail before reading a possibly huge legacy snapshot
  const onPostgres = isPostgresUrl(db)
  const storeName = onPostgres ? redactUrl(db) : db // a URL's password stays out of the report
  if (!onPostgres && !existsSync(db)) throw new UsageError(`crmsync store ${db} does not exist`, 'pass the store the new sync wrote with --db (run `crmsync sync all` first)')
  const legacy = openLegacy(opts.legacy)
  const baseline = opts.noiseBaseline ? openLegacy(opts.noiseBaseline) : undefined
  const source = opts.source ?? (opts.portal ? await openPortal(opts.portal) : undefined)
  if (opts.adjudicate && source)
    throw new UsageError('--adjudicate and --portal both name the source of truth', 'pass --portal DIR (a recorded snapshot) or --adjudicate (read the disputed records live), not both')
  // a missing token fails here, before a possibly huge legacy snapshot is read
  const client = opts.adjudicate ? adjudicationClient(opts.adjudicate) : undefined

  const st = createStaging()
  // opened once, before the legacy snapshot is read: a foreign, older or newer store (SQLite or PostgreSQL) fails here
  let storeReader: StoreReader | null = null
  try {
    storeReader = await openStoreReader(db)
    const strict = opts.strictModels === true || lm.mapping.legacy.strictModels
    opts.onPhase?.('reading legacy')
    const staged = await stageLegacy(st, legacy, lm.mapping, SIDE.legacy, strict)
    await testPause('staged')
    assertSomethingMapped(staged.rows + staged.errorCount, staged.unmapped, legacy.describe, lm.mapping)
    opts.onPhase?.('staging')
    if (baseline) await stageLegacy(st, baseline, lm.mapping, SIDE.baseline, strict)
    const store = await stageStore(st, storeReader, lm.mapping)
    if (source) await stageSource(st, source, lm.mapping)
    indexStaging(st)
    addDuplicatePkErrors(st, lm.mapping, SIDE.legacy, staged)
    // input sanity: refuse before comparing anything (exit 2, no report)
    await assertMappedNamesExist(st, storeReader, lm.mapping, store.missingEntities)
    await storeReader.close() // staged: the diff reads only the staging database
    storeReader = null
    const overlap = keyOverlap(st, lm.mapping)
    if (opts.allowLowOverlap !== true) assertOverlap(overlap, lm.mapping.legacy.minOverlap, legacy.describe, storeName)
    st.db.close()
    const ignored = new Set(lm.mapping.legacy.ignoreModels)
    const unmapped = [...staged.unmapped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, rows]) => ({model, rows, ...(ignored.has(model) ? {ignored: true} : {})}))
    for (const u of unmapped)
      if (!u.ignored) opts.onWarning?.(`legacy model ${u.model} (${u.rows} rows) is not in the mapping and was not compared; list it in legacy.ignoreModels to silence this, or map it`)

    const snapshotAtMs = !Number.isNaN(flagSnapshotAt) ? flagSnapshotAt : lm.mapping.legacy.snapshotAt ? parseInstant(lm.mapping.legacy.snapshotAt) : staged.maxSyncedAt
    const open = (): Database.Database => new Database(st.path, {readonly: true})
    let adjudication: Adjudication | undefined
    if (client) {
      try {
        adjudication = await adjudicateDisputed(lm, st, client, {hasBaseline: Boolean(baseline), snapshotAtMs}, new Date())
      } finally {
        await client.close?.()
      }
    }
    const conns = {
      legacyDb: open(),
      newDb: open(),
      lookupDb: open(),
      hasSource: Boolean(source) || adjudication !== undefined,
      hasBaseline: Boolean(baseline),
      snapshotAtMs,
      diagnose: opts.diagnose !== false,
      nowMs: now.getTime(),
    }
    const ledger = new Ledger(lm.mapping.ledger)
    let entities: EntityReport[]
    opts.onPhase?.('diffing')
    try {
      entities = Object.keys(lm.mapping.entities).map((e) => diffEntity(lm, ledger, conns, e))
    } finally {
      conns.legacyDb.close()
      conns.newDb.close()
      conns.lookupDb.close()
    }
    const errors = [...staged.errors]
    const totals = totalsOf(entities)
    const rootCauses = rootCausesOf(entities)
    const report: ParityReport = {
      schemaVersion: 2,
      runId: opts.runId ?? newRunId(now),
      createdAt: now.toISOString(),
      tool: {name: 'crmsync', version: toolVersion()},
      inputs: {
        legacy: legacy.describe,
        mapping: opts.mapping,
        store: storeName,
        ...(opts.portal ? {portal: opts.portal} : {}),
        ...(baseline ? {noiseBaseline: baseline.describe} : {}),
        ...(!Number.isNaN(snapshotAtMs) ? {legacySnapshotAt: new Date(snapshotAtMs).toISOString()} : {}),
        overlap,
        ...attributionInputs(Boolean(source), opts.portal, adjudication),
      },
      verdict: {ready: false, reasons: []},
      unmapped,
      rootCauses,
      reconciliation: reconcile(totals, entities, rootCauses),
      totals,
      entities,
      ledger: ledger.report(todayUtc(now)),
      ...(opts.performance ? {performance: opts.performance} : {}),
      errors,
    }
    report.verdict = decideVerdict(lm.mapping.verdict, report, staged.errorCount, staged.rows)
    opts.onPhase?.('rendering')
    const dir = await writeReportDir(out, report, opts.render === false ? undefined : (r, d) => renderAll(r, d))
    await syncIndex(out, [dir])
    return {report, dir}
  } finally {
    await storeReader?.close()
    st.close()
  }
}

/** Test hook (e2e signal tests): CRMSYNC_TEST_PAUSE=<point> holds the diff there for 60 s, announced on stderr. */
async function testPause(point: string): Promise<void> {
  if (process.env.CRMSYNC_TEST_PAUSE !== point) return
  process.stderr.write(`crmsync: test pause at ${point}\n`)
  await new Promise((r) => setTimeout(r, 60_000))
}

function totalsOf(entities: EntityReport[]): ParityReport['totals'] {
  const t: ParityReport['totals'] = {
    keysCompared: 0,
    identical: 0,
    modified: 0,
    missingInNew: 0,
    missingInLegacy: 0,
    duplicateKeys: 0,
    fieldMismatches: 0,
    explained: 0,
    noise: 0,
    attribution: {},
    consequences: 0,
  }
  const add = (a: Partial<Record<Attribution, number>>): void => addAttribution(t.attribution, a)
  for (const e of entities) {
    const c = e.counts
    t.identical += c.identical
    t.modified += c.modified
    t.missingInNew += c.missing_in_new
    t.missingInLegacy += c.missing_in_legacy
    t.duplicateKeys += c.duplicate_key
    for (const f of e.fields) {
      t.fieldMismatches += f.mismatched
      t.explained += f.explained
      t.noise += f.noise
      add(f.attribution)
    }
    for (const r of e.relations) {
      // consequences of missing records are counted under those records' root cause, not as mismatches
      const consequences = (r.consequenceMissingEdges ?? 0) + (r.consequenceExtraEdges ?? 0)
      t.fieldMismatches += r.missingEdges + r.extraEdges - consequences
      t.consequences = (t.consequences ?? 0) + consequences
      t.explained += r.explained
      t.noise += r.noise ?? 0
      add(r.attribution)
    }
    if (e.records) {
      t.explained += e.records.explained
      add(e.records.attribution)
    }
  }
  t.keysCompared = t.identical + t.modified + t.missingInNew + t.missingInLegacy + t.duplicateKeys
  return t
}

/**
 * `--adjudicate`: a first pass without a source collects the keys with an unexplained difference
 * (spooled to a file), which are then read live and staged as the source side.
 */
async function adjudicateDisputed(
  lm: ReturnType<typeof loadMapping>,
  st: ReturnType<typeof createStaging>,
  client: NonNullable<ReturnType<typeof adjudicationClient>>,
  c: {hasBaseline: boolean; snapshotAtMs: number},
  now: Date,
): Promise<Adjudication> {
  const spool = new DisputedSpool(dirname(st.path))
  const open = (): Database.Database => new Database(st.path, {readonly: true})
  const conns: DiffConnections = {
    legacyDb: open(),
    newDb: open(),
    lookupDb: open(),
    hasSource: false,
    hasBaseline: c.hasBaseline,
    snapshotAtMs: c.snapshotAtMs,
    diagnose: false,
    onDisputed: (e, k) => spool.add(e, k),
  }
  try {
    const ledger = new Ledger(lm.mapping.ledger)
    for (const e of Object.keys(lm.mapping.entities)) diffEntity(lm, ledger, conns, e)
  } finally {
    conns.legacyDb.close()
    conns.newDb.close()
    conns.lookupDb.close()
  }
  spool.flush()
  const db = new Database(st.path)
  try {
    return await adjudicate({path: st.path, db, close: () => db.close()}, lm.mapping, spool, client, now)
  } finally {
    db.close()
  }
}

/** Where the source side came from, in the report's words. */
function attributionInputs(
  snapshot: boolean,
  portal: string | undefined,
  adjudication: Adjudication | undefined,
): Pick<ParityReport['inputs'], 'attributionSource' | 'attributionNote' | 'adjudication'> {
  if (adjudication) {
    const disputed = Object.values(adjudication.disputed).reduce((a, b) => a + b, 0)
    return {
      attributionSource: 'live',
      attributionNote: `The source side was read live from the portal at ${adjudication.readAt}: ${disputed} disputed record(s) and their association sets, in ${adjudication.requests.total} request(s) (${adjudication.requests.objects} batch reads of records, ${adjudication.requests.associations} of associations).`,
      adjudication,
    }
  }
  if (snapshot) return {attributionSource: 'portal', attributionNote: `The source side is the portal snapshot${portal ? ` ${portal}` : ''}.`}
  return {attributionSource: 'none', attributionNote: 'Nothing was attributed: no portal snapshot (--portal) and no live adjudication (--adjudicate), so every difference is unattributed.'}
}
