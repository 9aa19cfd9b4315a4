/**
 * Write legacy rows in every snapshot form crmsync reads: dumpdata JSON array or JSONL (optionally
 * gzip), one CSV per table (as PostgreSQL COPY ... CSV HEADER writes it) or a SQLite file. Each
 * writer streams and finishes with a rename, so a half-written snapshot never appears.
 */
import {createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream} from 'node:fs'
import {basename, dirname, join} from 'node:path'
import {createGzip, type Gzip} from 'node:zlib'
import Database from 'better-sqlite3'
import {stringify} from 'csv-stringify/sync'
import {staleTempOf, sweepStale} from '../core/temp-cleanup.js'
import {DJANGO_MODELS, DJANGO_RELATIONS, FIELD_SOURCES, type DjangoEntity} from './legacy-django.js'

export type LegacyFormat = 'json' | 'jsonl' | 'json.gz' | 'jsonl.gz' | 'csv' | 'sqlite'

/** Streams legacy rows to one snapshot. */
export interface LegacyWriter {
  write(r: {model: string; pk: number; fields: Record<string, unknown>}): Promise<void>
  finish(): Promise<void>
}

const ENTITY_OF_MODEL = new Map(Object.entries(DJANGO_MODELS).map(([e, m]) => [m.model as string, e as DjangoEntity]))

/** Columns of a reference table, in order (id first). */
export function tableColumns(entity: DjangoEntity): string[] {
  return ['id', 'hubspot_id', ...Object.keys(FIELD_SOURCES[entity]), ...Object.keys(DJANGO_RELATIONS[entity].fk).map((f) => `${f}_id`), 'last_synced_at']
}

function sink(path: string, gzip: boolean): {out: WriteStream | Gzip; done: Promise<void>} {
  const file = createWriteStream(path)
  const done = new Promise<void>((res, rej) => {
    file.on('finish', () => res())
    file.on('error', rej)
  })
  if (!gzip) return {out: file, done}
  const z = createGzip()
  z.pipe(file)
  return {out: z, done}
}

async function put(out: WriteStream | Gzip, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((res) => out.once('drain', () => res()))
}

function dumpdataWriter(path: string, lines: boolean, gzip: boolean): LegacyWriter {
  mkdirSync(dirname(path), {recursive: true})
  sweepStale(dirname(path), staleTempOf(basename(path)))
  const tmp = `${path}.tmp-${process.pid}`
  const {out, done} = sink(tmp, gzip)
  let first = true
  let buf = ''
  return {
    async write(r) {
      const json = JSON.stringify({model: r.model, pk: r.pk, fields: r.fields})
      buf += lines ? `${json}\n` : `${first ? '[\n' : ',\n'}${json}`
      first = false
      if (buf.length > 1 << 16) {
        await put(out, buf)
        buf = ''
      }
    },
    async finish() {
      buf += lines ? '' : first ? '[]\n' : '\n]\n'
      await put(out, buf)
      out.end()
      await done
      renameSync(tmp, path)
    },
  }
}

/** Flatten a dumpdata record into table rows: the main row and its m2m through rows. */
function toTableRows(r: {model: string; pk: number; fields: Record<string, unknown>}): {
  entity: DjangoEntity
  row: Record<string, unknown>
  through: Array<{table: string; row: Record<string, unknown>}>
} {
  const entity = ENTITY_OF_MODEL.get(r.model)
  if (!entity) throw new Error(`unknown model ${r.model}`)
  const rel = DJANGO_RELATIONS[entity]
  const row: Record<string, unknown> = {id: r.pk}
  for (const [k, v] of Object.entries(r.fields)) {
    if (k in rel.fk) row[`${k}_id`] = v
    else if (!(k in rel.m2m)) row[k] = v
  }
  const through = Object.entries(rel.m2m).flatMap(([field, target]) =>
    ((r.fields[field] as unknown[]) ?? []).map((t) => ({table: `${DJANGO_MODELS[entity].table}_${field}`, row: {[`${entity.slice(0, -1)}_id`]: r.pk, [`${target.slice(0, -1)}_id`]: t}})),
  )
  return {entity, row, through}
}

function csvWriter(dir: string): LegacyWriter {
  sweepStale(dirname(dir), staleTempOf(basename(dir)))
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {recursive: true, force: true})
  mkdirSync(tmp, {recursive: true})
  const files = new Map<string, {ws: WriteStream; cols: string[]; done: Promise<void>}>()
  const cell = (v: unknown): unknown => (v === true ? 't' : v === false ? 'f' : v)
  const file = (table: string, cols: string[]) => {
    let f = files.get(table)
    if (!f) {
      const ws = createWriteStream(join(tmp, `${table}.csv`))
      const done = new Promise<void>((res, rej) => ws.on('finish', () => res()).on('error', rej))
      ws.write(stringify([cols]))
      f = {ws, cols, done}
      files.set(table, f)
    }
    return f
  }
  for (const [e, m] of Object.entries(DJANGO_MODELS)) {
    file(m.table, tableColumns(e as DjangoEntity))
    for (const [field, target] of Object.entries(DJANGO_RELATIONS[e as DjangoEntity].m2m)) file(`${m.table}_${field}`, ['id', `${e.slice(0, -1)}_id`, `${target.slice(0, -1)}_id`])
  }
  let throughId = 0
  return {
    async write(r) {
      const {entity, row, through} = toTableRows(r)
      const f = file(DJANGO_MODELS[entity].table, tableColumns(entity))
      if (!f.ws.write(stringify([f.cols.map((c) => cell(row[c]))], {quoted_empty: true}))) await new Promise<void>((res) => f.ws.once('drain', () => res()))
      for (const t of through) {
        const tf = files.get(t.table)!
        tf.ws.write(stringify([tf.cols.map((c) => (c === 'id' ? ++throughId : t.row[c]))]))
      }
    },
    async finish() {
      for (const f of files.values()) f.ws.end()
      await Promise.all([...files.values()].map((f) => f.done))
      rmSync(dir, {recursive: true, force: true})
      renameSync(tmp, dir)
    },
  }
}

function sqliteWriter(path: string): LegacyWriter {
  sweepStale(dirname(path), staleTempOf(basename(path)))
  const tmp = `${path}.tmp-${process.pid}`
  rmSync(tmp, {force: true})
  const db = new Database(tmp)
  db.pragma('journal_mode = OFF')
  const ins = new Map<string, Database.Statement>()
  for (const [e, m] of Object.entries(DJANGO_MODELS)) {
    const cols = tableColumns(e as DjangoEntity)
    db.exec(
      `CREATE TABLE ${m.table} (id INTEGER PRIMARY KEY, ${cols
        .slice(1)
        .map((c) => `"${c}"`)
        .join(', ')})`,
    )
    ins.set(m.table, db.prepare(`INSERT INTO ${m.table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`))
    for (const [field, target] of Object.entries(DJANGO_RELATIONS[e as DjangoEntity].m2m)) {
      const t = `${m.table}_${field}`
      db.exec(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, ${e.slice(0, -1)}_id INTEGER, ${target.slice(0, -1)}_id INTEGER)`)
      ins.set(t, db.prepare(`INSERT INTO ${t} (${e.slice(0, -1)}_id, ${target.slice(0, -1)}_id) VALUES (?, ?)`))
    }
  }
  db.exec('BEGIN')
  return {
    async write(r) {
      const {entity, row, through} = toTableRows(r)
      const cols = tableColumns(entity)
      ins.get(DJANGO_MODELS[entity].table)!.run(cols.map((c) => (typeof row[c] === 'boolean' ? (row[c] ? 1 : 0) : (row[c] ?? null))))
      for (const t of through) ins.get(t.table)!.run(Object.values(t.row))
    },
    async finish() {
      db.exec('COMMIT')
      db.close()
      renameSync(tmp, path)
    },
  }
}

/** A writer for `format` at `path` (a folder for csv). */
export function legacyWriter(path: string, format: LegacyFormat): LegacyWriter {
  switch (format) {
    case 'json':
      return dumpdataWriter(path, false, false)
    case 'json.gz':
      return dumpdataWriter(path, false, true)
    case 'jsonl':
      return dumpdataWriter(path, true, false)
    case 'jsonl.gz':
      return dumpdataWriter(path, true, true)
    case 'csv':
      return csvWriter(path)
    case 'sqlite':
      return sqliteWriter(path)
  }
}
