/**
 * The emulator's data layer: a portal loaded into SQLite (never JS arrays), so a million-record portal
 * serves with bounded memory. Ids are ordered as integers through (idlen, id).
 */
import Database from 'better-sqlite3'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {AssociationType, CrmRecord} from '../core/records.js'
import {buildEntityInfo, type EntityInfo, ObjectTypeRegistry, toMs} from './object-types.js'
import type {AssociationTypeDef} from '../core/records.js'
import type {PortalSource} from './types.js'

/** A record row as stored. `props` is JSON text. */
export interface RecordRow {
  idlen: number
  id: string
  archived: number
  created_at: string
  updated_at: string
  archived_at: string | null
  mod_ms: number | null
  props: string
  changed_ms: number | null
  prev_props: string | null
  prev_archived: number | null
  prev_mod_ms: number | null
  prev_updated_at: string | null
}

const SCHEMA = `
CREATE TABLE records(
  ent INTEGER NOT NULL, idlen INTEGER NOT NULL, id TEXT NOT NULL,
  archived INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, archived_at TEXT,
  mod_ms INTEGER, props TEXT NOT NULL,
  changed_ms INTEGER, prev_props TEXT, prev_archived INTEGER, prev_mod_ms INTEGER, prev_updated_at TEXT
);
CREATE TABLE assoc(
  fe INTEGER NOT NULL, fidlen INTEGER NOT NULL, fid TEXT NOT NULL,
  te INTEGER NOT NULL, tidlen INTEGER NOT NULL, tid TEXT NOT NULL, types TEXT NOT NULL,
  PRIMARY KEY(fe, fidlen, fid, te, tidlen, tid)
) WITHOUT ROWID;
`

/** built after the bulk load (faster than maintaining them row by row) */
const INDEXES = `
CREATE UNIQUE INDEX records_pk ON records(ent, idlen, id);
CREATE INDEX records_list ON records(ent, archived, idlen, id);
CREATE INDEX records_mod ON records(ent, archived, mod_ms, idlen, id);
CREATE INDEX records_changed ON records(changed_ms) WHERE changed_ms IS NOT NULL;
`

const BATCH = 5000

export class EmulatorStore {
  readonly registry: ObjectTypeRegistry
  /** aborts a load in progress (checked every batch) */
  private signal?: AbortSignal
  /** bumped by every mutation; search total caches key on it */
  version = 0
  private readonly inverse = new Map<string, AssociationType>()
  /** every association type of a (from, to) pair, keyed `fromIndex:toIndex` (the labels endpoint) */
  private readonly pairTypes = new Map<string, Map<string, AssociationType>>()
  private readonly insertRec: Database.Statement
  private readonly insertAssoc: Database.Statement
  private readonly insertAssocIgnore: Database.Statement

  private constructor(
    readonly db: Database.Database,
    entities: EntityInfo[],
    assocTypes: AssociationTypeDef[],
    private readonly cleanupDir: string | null,
  ) {
    this.registry = new ObjectTypeRegistry(entities)
    for (const t of assocTypes) {
      const from = this.registry.find(t.fromType)
      const to = this.registry.find(t.toType)
      if (!from || !to) continue
      const inv = assocTypes.find((u) => u.typeId === t.inverseTypeId && this.registry.find(u.fromType) === to && this.registry.find(u.toType) === from)
      const reverse = {category: t.category, typeId: t.inverseTypeId, label: inv?.label ?? t.label}
      this.inverse.set(`${from.index}:${to.index}:${t.typeId}`, reverse)
      this.addPairType(from, to, {category: t.category, typeId: t.typeId, label: t.label})
      this.addPairType(to, from, reverse)
    }
    this.insertRec = db.prepare('INSERT INTO records(ent,idlen,id,archived,created_at,updated_at,archived_at,mod_ms,props) VALUES (?,?,?,?,?,?,?,?,?)')
    this.insertAssoc = db.prepare('INSERT OR REPLACE INTO assoc(fe,fidlen,fid,te,tidlen,tid,types) VALUES (?,?,?,?,?,?,?)')
    this.insertAssocIgnore = db.prepare('INSERT OR IGNORE INTO assoc(fe,fidlen,fid,te,tidlen,tid,types) VALUES (?,?,?,?,?,?,?)')
  }

  /** Creates the SQLite file and streams the portal into it, in transactions of 5,000 rows. */
  static async load(source: PortalSource, opts: {dbPath?: string; tmpRoot?: string; signal?: AbortSignal} = {}): Promise<EmulatorStore> {
    let cleanupDir: string | null = null
    let path = opts.dbPath
    if (!path) {
      cleanupDir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'crmsync-emulator-'))
      path = join(cleanupDir, 'portal.sqlite')
    }
    const db = new Database(path)
    db.pragma('journal_mode = OFF')
    db.pragma('synchronous = OFF')
    db.pragma('cache_size = -65536')
    db.pragma('temp_store = FILE')
    db.function('hs_ms', {deterministic: true}, (v: unknown) => toMs(v))
    db.exec(SCHEMA)
    const entities = source.manifest.objects.map((m, i) => buildEntityInfo(i, m, source.manifest.portalId))
    const store = new EmulatorStore(db, entities, source.manifest.associationTypes ?? [], cleanupDir)
    store.signal = opts.signal
    try {
      for (const e of entities) await store.loadRecords(e, source.records(e.name))
      try {
        db.exec(INDEXES)
      } catch (err) {
        throw new Error(`the portal lists a record id twice: ${(err as Error).message}`, {cause: err})
      }
      await store.loadAssociations(source.associations())
    } catch (err) {
      store.close()
      throw err
    }
    return store
  }

  private async loadRecords(e: EntityInfo, records: AsyncIterable<CrmRecord>): Promise<void> {
    let batch: CrmRecord[] = []
    const flush = this.db.transaction((rows: CrmRecord[]) => {
      for (const r of rows) this.insertRecord(e, r)
    })
    for await (const r of records) {
      batch.push(r)
      if (batch.length >= BATCH) {
        this.signal?.throwIfAborted()
        flush(batch)
        batch = []
      }
    }
    if (batch.length > 0) flush(batch)
  }

  /** Inserts one record as loaded from a snapshot (indexes are built after the bulk load). */
  insertRecord(e: EntityInfo, r: CrmRecord): void {
    const mod = toMs(r.properties[e.modifiedProperty]) ?? toMs(r.updatedAt)
    this.insertRec.run(e.index, r.id.length, r.id, r.archived ? 1 : 0, r.createdAt, r.updatedAt, r.archivedAt ?? null, mod, JSON.stringify(r.properties))
  }

  private async loadAssociations(rows: AsyncIterable<{fromType: string; fromId: string; toType: string; toId: string; types: AssociationType[]}>): Promise<void> {
    let batch: Array<{fromType: string; fromId: string; toType: string; toId: string; types: AssociationType[]}> = []
    const known = new Map<string, EntityInfo | undefined>()
    const entity = (name: string): EntityInfo | undefined => {
      if (!known.has(name)) known.set(name, this.registry.find(name))
      return known.get(name)
    }
    const flush = this.db.transaction((list: typeof batch) => {
      for (const a of list) {
        const from = entity(a.fromType)
        const to = entity(a.toType)
        if (!from || !to) continue
        this.insertAssoc.run(from.index, a.fromId.length, a.fromId, to.index, a.toId.length, a.toId, JSON.stringify(a.types))
        const rev = a.types.map((t) => this.inverseOf(from, to, t))
        this.insertAssocIgnore.run(to.index, a.toId.length, a.toId, from.index, a.fromId.length, a.fromId, JSON.stringify(rev))
      }
    })
    for await (const a of rows) {
      batch.push(a)
      if (batch.length >= BATCH) {
        this.signal?.throwIfAborted()
        flush(batch)
        batch = []
      }
    }
    if (batch.length > 0) flush(batch)
  }

  private addPairType(from: EntityInfo, to: EntityInfo, t: AssociationType): void {
    const key = `${from.index}:${to.index}`
    let types = this.pairTypes.get(key)
    if (!types) this.pairTypes.set(key, (types = new Map()))
    const k = `${t.category}:${t.typeId}`
    if (!types.has(k)) types.set(k, {category: t.category, typeId: t.typeId, label: t.label ?? null})
  }

  /** Every association type from `from` to `to` the manifest defines (either direction), by typeId. */
  associationTypesOf(from: EntityInfo, to: EntityInfo): AssociationType[] {
    return [...(this.pairTypes.get(`${from.index}:${to.index}`)?.values() ?? [])].sort((a, b) => a.typeId - b.typeId || (a.category < b.category ? -1 : 1))
  }

  /** The association type seen from the other side (manifest inverseTypeId; same type when unknown). */
  inverseOf(from: EntityInfo, to: EntityInfo, t: AssociationType): AssociationType {
    return this.inverse.get(`${from.index}:${to.index}:${t.typeId}`) ?? {category: t.category, typeId: t.typeId, label: t.label}
  }

  /** Writes one association in both directions (used by mutations). */
  putAssociation(from: EntityInfo, fromId: string, to: EntityInfo, toId: string, types: AssociationType[]): void {
    this.insertAssoc.run(from.index, fromId.length, fromId, to.index, toId.length, toId, JSON.stringify(types))
    this.insertAssoc.run(to.index, toId.length, toId, from.index, fromId.length, fromId, JSON.stringify(types.map((t) => this.inverseOf(from, to, t))))
  }

  get entities(): EntityInfo[] {
    return this.registry.entities
  }

  close(): void {
    if (this.db.open) this.db.close()
    if (this.cleanupDir) rmSync(this.cleanupDir, {recursive: true, force: true})
  }
}
