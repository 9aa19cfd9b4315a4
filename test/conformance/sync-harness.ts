/**
 * Helpers for sync integration and e2e tests: a generated portal served by the real emulator over
 * loopback HTTP, the CLI as a child process, and comparable pictures of the store and the portal.
 */
import {spawn} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {ASSOCIATION_PAIRS, OBJECTS} from '../../src/connectors/hubspot/objects.js'
import {startEmulator, type EmulatorOptions, type RunningEmulator} from '../../src/emulator/index.js'
import {generatePortal} from '../../src/portal/generator.js'
import type {GenerateOptions} from '../../src/portal/generate/options.js'
import {openStore, openStoreReader} from '../../src/store/open.js'
import {iterateAssociations, iterateRecords} from '../../src/store/read.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const TOKEN = 'test-token-not-secret-1234'

export function tempDir(prefix = 'crmsync-sync-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Generate a small portal with every edge case into a temp folder. */
export async function makePortal(opts: Partial<GenerateOptions> = {}): Promise<string> {
  const out = join(tempDir('crmsync-portal-'), 'portal')
  await generatePortal({out, contacts: 120, deals: 40, appointments: 30, divisions: 6, seed: 11, sharedTimestamp: 30, ...opts})
  return out
}

/** The sync suites test correctness, not pacing: no rate limit unless a test passes one (the emulator's default is HubSpot's 190/10 s). */
export function emulator(portalDir: string, opts: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  return startEmulator({portalDir, token: TOKEN, rateLimit: 'none', ...opts})
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Run `node bin/run.js ...args` (build first: npx tsc -p .). `killAfterMs` sends SIGKILL then;
 * `killAfterPages` sends it `killDelayMs` after the N-th page the engine logs (needs `--debug`;
 * `signal` replaces SIGKILL, e.g. SIGINT for a Ctrl-C),
 * so kills land at random points of the run's progress however fast or slow the machine is;
 * `killWhen` sends it as soon as the stderr so far satisfies it (e.g. a given log line).
 */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  opts: {
    killAfterMs?: number
    killAfterPages?: number
    killDelayMs?: number
    killWhen?: (stderr: string) => boolean
    signal?: NodeJS.Signals
    onStderr?: (all: string) => void
  } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {
      cwd: ROOT,
      env: {...process.env, HUBSPOT_ACCESS_TOKEN: TOKEN, CRMSYNC_CONFIG: undefined, CRMSYNC_RATE_LIMIT: 'none', ...env},
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    let pageTimer: NodeJS.Timeout | null = null
    child.stderr.on('data', (d) => {
      stderr += d
      opts.onStderr?.(stderr)
      if (opts.killAfterPages !== undefined && !pageTimer && (stderr.match(/"msg":"page"/g)?.length ?? 0) >= opts.killAfterPages) {
        pageTimer = setTimeout(() => child.kill(opts.signal ?? 'SIGKILL'), opts.killDelayMs ?? 0)
      }
      if (opts.killWhen && child.exitCode === null && !child.killed && opts.killWhen(stderr)) child.kill(opts.signal ?? 'SIGKILL')
    })
    const timer = opts.killAfterMs === undefined ? null : setTimeout(() => child.kill(opts.signal ?? 'SIGKILL'), opts.killAfterMs)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (pageTimer) clearTimeout(pageTimer)
      done({code, signal, stdout, stderr})
    })
  })
}

/** Parse the `--json` output of a command. */
export function jsonOf<T = Record<string, unknown>>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 500)}\n${r.stderr.slice(0, 2000)}`)
  }
}

export interface Picture {
  records: Record<string, string[]>
  associations: string[]
}

const ENTITIES = Object.keys(OBJECTS)

function line(rec: {id: string; properties: Record<string, string | null>; createdAt: string; updatedAt: string; archived: boolean; archivedAt?: string}): string {
  const props = Object.fromEntries(Object.entries(rec.properties).sort(([a], [b]) => (a < b ? -1 : 1)))
  return JSON.stringify({id: rec.id, archived: rec.archived, archivedAt: rec.archived ? (rec.archivedAt ?? null) : null, createdAt: rec.createdAt, updatedAt: rec.updatedAt, properties: props})
}

/** Everything the store holds (live records, tombstones, edges), as sorted lines. */
export function storePicture(dbPath: string): Picture {
  const store = openStore(dbPath, {readonly: true})
  try {
    const records: Record<string, string[]> = {}
    for (const e of ENTITIES) records[e] = store.table(e) ? [...iterateRecords(store, e)].map(line) : []
    const associations = [...iterateAssociations(store)].map((a) => JSON.stringify([a.fromEntity, a.fromId, a.toEntity, a.toId, a.category, a.typeId, a.label])).sort()
    return {records, associations}
  } finally {
    store.close()
  }
}

/** `storePicture` of any store (a SQLite file or a postgres:// URL), read through the StoreReader port. */
export async function storePictureOf(location: string): Promise<Picture> {
  const store = await openStoreReader(location)
  try {
    const have = new Set(await store.entities())
    const records: Record<string, string[]> = {}
    for (const e of ENTITIES) {
      records[e] = []
      if (have.has(e)) for await (const r of store.records(e)) records[e].push(line(r))
    }
    const associations: string[] = []
    for await (const a of store.associations()) associations.push(JSON.stringify([a.fromEntity, a.fromId, a.toEntity, a.toId, a.category, a.typeId, a.label]))
    return {records, associations: associations.sort()}
  } finally {
    await store.close()
  }
}

/** The store's index names (a first associations load drops one and must build it again). */
export function storeIndexes(dbPath: string): string[] {
  const store = openStore(dbPath, {readonly: true})
  try {
    return store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name`).pluck().all() as string[]
  } finally {
    store.close()
  }
}

/** What the emulator serves right now, with the properties crmsync requests, as sorted lines. */
export function emulatorPicture(emu: RunningEmulator): Picture {
  const db = emu.store.db
  const records: Record<string, string[]> = {}
  const live = new Map<string, Set<string>>()
  for (const e of ENTITIES) {
    const info = emu.store.registry.find(e)!
    const wanted = OBJECTS[e].defaultProperties
    const rows = db.prepare('SELECT id, archived, created_at, updated_at, archived_at, props FROM records WHERE ent = ? ORDER BY idlen, id').all(info.index) as Array<{
      id: string
      archived: number
      created_at: string
      updated_at: string
      archived_at: string | null
      props: string
    }>
    const ids = new Set<string>()
    records[e] = rows.map((r) => {
      const all = JSON.parse(r.props) as Record<string, string | null>
      const properties: Record<string, string | null> = {}
      for (const n of wanted) if (Object.prototype.hasOwnProperty.call(all, n)) properties[n] = all[n]
      if (r.archived === 0) ids.add(r.id)
      return line({id: r.id, properties, createdAt: r.created_at, updatedAt: r.updated_at, archived: r.archived === 1, archivedAt: r.archived_at ?? undefined})
    })
    live.set(e, ids)
  }
  const associations: string[] = []
  for (const [from, to] of ASSOCIATION_PAIRS) {
    const fe = emu.store.registry.find(from)!
    const te = emu.store.registry.find(to)!
    const rows = db.prepare('SELECT fid, tid, types FROM assoc WHERE fe = ? AND te = ?').all(fe.index, te.index) as Array<{fid: string; tid: string; types: string}>
    for (const r of rows) {
      if (!live.get(from)!.has(r.fid) || !live.get(to)!.has(r.tid)) continue
      for (const t of JSON.parse(r.types) as Array<{category: string; typeId: number; label: string | null}>)
        associations.push(JSON.stringify([from, r.fid, to, r.tid, t.category, t.typeId, t.label ?? null]))
    }
  }
  return {records, associations: [...new Set(associations)].sort()}
}
