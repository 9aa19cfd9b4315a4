/**
 * One CSV file per table (`COPY crm_contact TO STDOUT WITH CSV HEADER`), in one folder; `.csv` or
 * `.csv.gz`. An unquoted empty field is NULL, a quoted one ("") the empty string, as COPY writes.
 */
import {createReadStream, existsSync} from 'node:fs'
import {join} from 'node:path'
import {createGunzip} from 'node:zlib'
import {parse} from 'csv-parse'
import {UsageError} from '../../core/errors.js'
import {BATCH, type LegacyRecord, type LegacySource, type TableSpec} from './types.js'

function fileFor(dir: string, table: string): string {
  for (const name of [`${table}.csv`, `${table}.csv.gz`]) if (existsSync(join(dir, name))) return join(dir, name)
  throw new UsageError(`legacy CSV folder ${dir} has no ${table}.csv`, `export it with \`COPY ${table} TO STDOUT WITH CSV HEADER\`, or fix the table name in the mapping`)
}

async function* rows(path: string): AsyncGenerator<Record<string, string | null>> {
  const file = createReadStream(path)
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file
  let header = false
  const parser = input.pipe(
    parse({
      columns: (names: string[]) => {
        header = true
        return names
      },
      cast: (value, ctx) => (value === '' && !ctx.quoting ? null : value) as unknown as string,
    }),
  )
  try {
    for await (const row of parser) yield row as Record<string, string | null>
  } catch (e) {
    throw new UsageError(`legacy CSV ${path} is malformed: ${(e as Error).message}`, 'export it again with `COPY <table> TO STDOUT WITH CSV HEADER`')
  }
  // an empty table still has its header line; a file without one is a failed or truncated export
  if (!header) throw new UsageError(`legacy CSV ${path} is empty (not even a header line)`, 'export it again with `COPY <table> TO STDOUT WITH CSV HEADER`', 'EMPTY_SNAPSHOT')
}

/** Open a folder of per-table CSV files as a LegacySource. */
export function csvSource(dir: string): LegacySource {
  return {
    describe: dir,
    async *batches(tables: TableSpec[]) {
      for (const t of tables) {
        const files = [fileFor(dir, t.table), ...t.m2m.map((m) => fileFor(dir, m.table))]
        const batch: LegacyRecord[] = []
        for await (const row of rows(files[0])) {
          if (!('id' in row)) throw new UsageError(`legacy CSV ${files[0]} has no "id" column (the legacy primary key)`, 'export the whole table with `COPY <table> TO STDOUT WITH CSV HEADER`')
          const {id, ...fields} = row
          batch.push({model: t.model, pk: String(id), fields})
          if (batch.length >= BATCH) yield batch.splice(0)
        }
        for (let i = 0; i < t.m2m.length; i++) {
          const m = t.m2m[i]
          for await (const row of rows(files[i + 1])) {
            if (!(m.sourceColumn in row) || !(m.targetColumn in row))
              throw new UsageError(`legacy CSV ${files[i + 1]} lacks column ${m.sourceColumn} or ${m.targetColumn}`, 'fix relations.<name>.through in the mapping')
            batch.push({model: t.model, pk: String(row[m.sourceColumn]), fields: {[m.field]: [row[m.targetColumn]]}, m2mOnly: true})
            if (batch.length >= BATCH) yield batch.splice(0)
          }
        }
        if (batch.length > 0) yield batch
      }
    },
  }
}
