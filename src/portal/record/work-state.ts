/**
 * The recorder's work folder (`<out>.record-work/`): append-only NDJSON files and a state file
 * that says how far each step got. The state is written (temp file + rename) after the data it
 * covers, and on resume every file is cut back to the length the state recorded, so a crash
 * between the two never duplicates or loses a line.
 */
import {closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../../core/errors.js'
import type {AssociationTypeDef, PropertyDefinition} from '../../core/records.js'

export interface RecordedObjectType {
  name: string
  objectTypeId: string
  fullyQualifiedName?: string
  properties: PropertyDefinition[]
  schema?: Record<string, unknown>
}

/** Progress of one list crawl (live or archived records of one entity). */
export interface ListProgress {
  /** cursor of the next page; null before the first page */
  after: string | null
  done: boolean
  /** bytes of its work file covered by this state */
  bytes: number
  count: number
}

export interface AssociationProgress {
  /** from-types finished, in canonical order */
  doneFromTypes: string[]
  /** within the from-type in progress: the last from id whose rows are all written */
  lastFromId: string | null
  bytes: number
  count: number
  /** written by recorders before the labels endpoint was read (sample edges for inverse ids); ignored */
  samples?: Record<string, Array<{fromId: string; toId: string; types: number}>>
  /** per canonical pair: type definitions seen on edges (category, typeId, label) */
  seen: Record<string, Array<Omit<AssociationTypeDef, 'inverseTypeId' | 'fromType' | 'toType'>>>
}

export interface RecordState {
  version: 1
  /** what the run was started with; a resume must match it */
  fingerprint: string
  portalId: number
  objectTypes: RecordedObjectType[]
  lists: Record<string, ListProgress>
  associations: AssociationProgress
  /** redaction salt made up by the first run when none was given (kept so a resume gives the same fakes) */
  generatedSalt?: string
}

const STATE = 'state.json'
const OBJECTS = 'objects.json'

/** Owner-only (0600): state.json holds the redaction salt, and the work files unredacted records. */
function atomicWrite(path: string, text: string): void {
  rmSync(`${path}.tmp`, {force: true}) // a leftover temp file would keep its old mode
  writeFileSync(`${path}.tmp`, text, {mode: 0o600})
  renameSync(`${path}.tmp`, path)
}

/** The work folder beside an output folder. */
export function workDirFor(out: string): string {
  return `${out.replace(/[\\/]+$/, '')}.record-work`
}

export class WorkFolder {
  private lastSave = 0
  constructor(readonly dir: string) {}

  /** The saved state, or null when there is none. UsageError when it is unreadable. */
  load(): RecordState | null {
    const p = join(this.dir, STATE)
    if (!existsSync(p)) return null
    try {
      const s = JSON.parse(readFileSync(p, 'utf8')) as Omit<RecordState, 'objectTypes'>
      if (s.version !== 1) throw new Error(`unknown version ${String(s.version)}`)
      const objectTypes = JSON.parse(readFileSync(join(this.dir, OBJECTS), 'utf8')) as RecordedObjectType[]
      return {...s, objectTypes}
    } catch (err) {
      throw new UsageError(`the recorder's work folder ${this.dir} has an unreadable state file (${(err as Error).message})`, 'pass --force to discard it and record from the start', 'BAD_WORK_STATE')
    }
  }

  create(): void {
    mkdirSync(this.dir, {recursive: true, mode: 0o700})
  }

  /**
   * Saves the progress (after every page: small). The object types and their property definitions
   * (large with hundreds of properties) are written once, before the first progress file.
   */
  save(state: RecordState, opts: {throttle?: boolean} = {}): void {
    // Saving less often only means redoing a little more after a crash: the work files are cut
    // back to the saved lengths on resume, so any cadence is safe. At most every 500 ms per page.
    const now = Date.now()
    if (opts.throttle && now - this.lastSave < 500) return
    this.lastSave = now
    const {objectTypes, ...progress} = state
    if (!existsSync(join(this.dir, OBJECTS))) atomicWrite(join(this.dir, OBJECTS), JSON.stringify(objectTypes))
    atomicWrite(join(this.dir, STATE), JSON.stringify(progress))
  }

  path(file: string): string {
    return join(this.dir, file)
  }

  /** Opens `file` for appending after cutting it back to `bytes` (what the state covers). */
  openAppend(file: string, bytes: number): AppendFile {
    const p = this.path(file)
    const fd = openSync(p, existsSync(p) ? 'r+' : 'w+', 0o600)
    if (statSync(p).size !== bytes) ftruncateSync(fd, bytes)
    return new AppendFile(fd, bytes)
  }

  remove(): void {
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** A file written at an explicit position (so a truncated tail is overwritten, not skipped). */
export class AppendFile {
  constructor(
    private fd: number,
    public bytes: number,
  ) {}

  /** Appends lines (each without its newline); returns the new length. */
  append(lines: string[]): number {
    if (lines.length === 0) return this.bytes
    const buf = Buffer.from(lines.join('\n') + '\n', 'utf8')
    let off = 0
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off, this.bytes + off)
    this.bytes += buf.length
    return this.bytes
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
