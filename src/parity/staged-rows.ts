/**
 * Sorted reads and key lookups over the staging database: legacy rows with their relations resolved
 * to HubSpot ids (FK legacy pk → target's hubspot_id; many-to-many through rows as sets), and
 * new/source records with their associated ids.
 */
import type Database from 'better-sqlite3'
import type {EntityMapping, Mapping} from './mapping/schema.js'
import type {RecSide} from './staging.js'

/** A legacy row with its relations resolved; rels[i] is the set of target keys of relation i. */
export interface LegacyRow {
  key: string
  fields: Record<string, unknown>
  rels: string[][]
}

/** A new-side or source record; rels[i] is the set of associated ids for relation i. */
export interface RecRow {
  key: string
  props: Record<string, string | null>
  createdAt: string | null
  updatedAt: string | null
  archived: boolean
  archivedAt: string | null
  rels: string[][]
}

const str = (s: string): string => `'${s.replace(/'/g, "''")}'`
const jpath = (s: string): string => str(`$."${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
const SEP = '\u001f'
const split = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? [...new Set(v.split(SEP))] : [])

function legacySelect(mapping: Mapping, em: EntityMapping): string {
  const cols = Object.values(em.relations).map((r, i) => {
    const tm = str(mapping.entities[r.target].model)
    if (r.kind === 'fk') {
      const col = r.column ?? `${r.field}_id`
      return `(SELECT t.key FROM lrow t WHERE t.side = r.side AND t.model = ${tm} AND t.pk = CAST(coalesce(json_extract(r.fields, ${jpath(r.field)}), json_extract(r.fields, ${jpath(col)})) AS TEXT) LIMIT 1) AS rel${i}`
    }
    return `(SELECT group_concat(t.key, char(31)) FROM lm2m e JOIN lrow t ON t.side = e.side AND t.model = ${tm} AND t.pk = e.target WHERE e.side = r.side AND e.model = r.model AND e.field = ${str(r.field)} AND e.pk = r.pk) AS rel${i}`
  })
  return ['r.key AS key', 'r.fields AS fields', ...cols].join(', ')
}

function recSelect(entity: string, em: EntityMapping): string {
  const cols = Object.values(em.relations).flatMap((r, i) => [
    `(SELECT group_concat(a.to_id, char(31)) FROM assoc a WHERE a.side = r.side AND a.from_entity = ${str(entity)} AND a.to_entity = ${str(r.target)} AND a.from_id = r.key) AS fwd${i}`,
    `(SELECT group_concat(a.from_id, char(31)) FROM assoc a WHERE a.side = r.side AND a.to_entity = ${str(entity)} AND a.from_entity = ${str(r.target)} AND a.to_id = r.key) AS rev${i}`,
  ])
  return ['r.key AS key', 'r.props AS props', 'r.created_at AS created_at', 'r.updated_at AS updated_at', 'r.archived AS archived', 'r.archived_at AS archived_at', ...cols].join(', ')
}

type Raw = Record<string, unknown>

function toLegacy(raw: Raw, nrel: number): LegacyRow {
  const rels: string[][] = []
  for (let i = 0; i < nrel; i++) rels.push(split(raw[`rel${i}`]))
  return {key: raw.key as string, fields: JSON.parse(raw.fields as string) as Record<string, unknown>, rels}
}

function toRec(raw: Raw, nrel: number): RecRow {
  const rels: string[][] = []
  for (let i = 0; i < nrel; i++) rels.push([...new Set([...split(raw[`fwd${i}`]), ...split(raw[`rev${i}`])])])
  return {
    key: raw.key as string,
    props: JSON.parse(raw.props as string) as Record<string, string | null>,
    createdAt: (raw.created_at as string | null) ?? null,
    updatedAt: (raw.updated_at as string | null) ?? null,
    archived: Number(raw.archived) === 1,
    archivedAt: (raw.archived_at as string | null) ?? null,
    rels,
  }
}

/** Legacy rows of one model, sorted by key (duplicates adjacent). */
export function* legacyRows(db: Database.Database, mapping: Mapping, entity: string, side: number): Generator<LegacyRow> {
  const em = mapping.entities[entity]
  const n = Object.keys(em.relations).length
  const stmt = db.prepare(`SELECT ${legacySelect(mapping, em)} FROM lrow r WHERE r.side = ? AND r.model = ? AND r.key IS NOT NULL ORDER BY r.key`)
  for (const raw of stmt.iterate(side, em.model) as IterableIterator<Raw>) yield toLegacy(raw, n)
}

/** New-side or source records of one entity, sorted by key. */
export function* recRows(db: Database.Database, mapping: Mapping, entity: string, side: RecSide): Generator<RecRow> {
  const em = mapping.entities[entity]
  const n = Object.keys(em.relations).length
  const stmt = db.prepare(`SELECT ${recSelect(entity, em)} FROM rec r WHERE r.side = ? AND r.entity = ? ORDER BY r.key`)
  for (const raw of stmt.iterate(side, entity) as IterableIterator<Raw>) yield toRec(raw, n)
}

/** Point lookups by key (source records, noise-baseline rows). */
export class KeyLookup {
  private readonly legacyStmt
  private readonly recStmt
  private readonly nrel: number

  constructor(db: Database.Database, mapping: Mapping, entity: string) {
    const em = mapping.entities[entity]
    this.nrel = Object.keys(em.relations).length
    this.legacyStmt = db.prepare(`SELECT ${legacySelect(mapping, em)} FROM lrow r WHERE r.side = ? AND r.model = ${str(em.model)} AND r.key = ? LIMIT 1`)
    this.recStmt = db.prepare(`SELECT ${recSelect(entity, em)} FROM rec r WHERE r.side = ? AND r.entity = ${str(entity)} AND r.key = ? LIMIT 1`)
  }

  legacy(side: number, key: string): LegacyRow | undefined {
    const raw = this.legacyStmt.get(side, key) as Raw | undefined
    return raw ? toLegacy(raw, this.nrel) : undefined
  }

  rec(side: RecSide, key: string): RecRow | undefined {
    const raw = this.recStmt.get(side, key) as Raw | undefined
    return raw ? toRec(raw, this.nrel) : undefined
  }
}
