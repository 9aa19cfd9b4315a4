/**
 * `crmsync export` and `crmsync sync status` as child processes (`node bin/run.js ...`, dist built
 * by `npm test`) against a real store file.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT, crmsync as run, type CliResult} from '../helpers/cli.js'
import {openStore} from '../../src/store/open.js'
import type {CrmRecord} from '../../src/core/records.js'

function crmsync(args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliResult> {
  // CRMSYNC_DB from the outer environment must not leak into tests that rely on the default path
  return run(args, {env: {CRMSYNC_DB: undefined, ...env}, cwd})
}

let dir: string
let db: string
const records: CrmRecord[] = [
  {id: '2', properties: {email: 'b@x.io', amount: '10'}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z', archived: false},
  {id: '1', properties: {email: 'a@x.io', amount: null}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-03T00:00:00.000Z', archived: false},
  {id: '3', properties: {email: 'c@x.io', amount: '1'}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-04T00:00:00.000Z', archived: true, archivedAt: '2024-02-01T00:00:00.000Z'},
]

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-export-e2e-'))
  db = path.join(dir, 'crmsync.db')
  const s = openStore(db)
  s.ensureEntity({entity: 'contacts', properties: [{name: 'email', label: 'Email', type: 'string', fieldType: 'text'}]})
  const run = s.startRun('sync contacts', false)
  s.applyRecords('contacts', 'contacts', records, {cursor: '2024-01-04T00:00:00.000Z', id: '3'})
  s.addDeadLetter({stream: 'contacts', recordId: '4', payload: {id: '4'}, reason: 'malformed record'})
  s.finishRun(run, {status: 'ok', requests: 7, errors: 1, counts: {contacts: {inserted: 2, updated: 0, unchanged: 0, deleted: 1}}})
  s.close()
})

describe.concurrent('crmsync export (child process)', () => {
  it('prints NDJSON to stdout in id order', async () => {
    const r = await crmsync(['export', 'contacts', '--db', db])
    expect(r.code).toBe(0)
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([records[1], records[0], records[2]])
  })

  it('writes CSV to --out with a JSON summary, and reads CRMSYNC_DB', async () => {
    const out = path.join(dir, 'contacts.csv')
    const r = await crmsync(['export', 'contacts', '--format', 'csv', '--out', out, '--json'], {CRMSYNC_DB: db})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({entity: 'contacts', format: 'csv', count: 3, out})
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('id,created_at,updated_at,archived,archived_at,amount,email')
    expect(lines[3]).toBe('3,2024-01-01T00:00:00.000Z,2024-01-04T00:00:00.000Z,true,2024-02-01T00:00:00.000Z,1,c@x.io')
  })

  it('exits 2 for an unknown entity, listing the valid ones', async () => {
    const r = await crmsync(['export', 'contactz', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown entity "contactz".*valid: contacts, associations/)
    expect(r.stdout).toBe('')
  })

  it('exits 2 for a missing store, naming the path and `crmsync sync all`', async () => {
    const missing = path.join(dir, 'nope.db')
    const r = await crmsync(['export', 'contacts', '--db', missing])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(missing)
    expect(r.stderr).toContain('crmsync sync all')
    expect(fs.existsSync(missing)).toBe(false)
  })

  it('exits 2 for a bad format or --json without --out, writing nothing', async () => {
    expect((await crmsync(['export', 'contacts', '--db', db, '--format', 'xml'])).code).toBe(2)
    const r = await crmsync(['export', 'contacts', '--db', db, '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.message).toMatch(/--json needs --out/)
  })
})

describe.concurrent('crmsync sync status (child process)', () => {
  it('reports cursor, counts, tombstones, dead letters and the last run as JSON', async () => {
    const r = await crmsync(['sync', 'status', '--db', db, '--json'])
    expect(r.code).toBe(0)
    const status = JSON.parse(r.stdout)
    expect(status.totals).toEqual({records: 2, tombstones: 1, associations: 0, deadLetters: 1})
    const contacts = status.streams.find((s: {stream: string}) => s.stream === 'contacts')
    expect(contacts).toMatchObject({cursor: {cursor: '2024-01-04T00:00:00.000Z', id: '3'}, rows: 2, tombstones: 1, merged: 0, deadLetters: 1})
    expect(contacts.lastRun).toMatchObject({command: 'sync contacts', status: 'ok', requests: 7, errors: 1})
    expect(status.lastRun).toMatchObject({status: 'ok', requests: 7})
  })

  it('prints a table for humans and exits 2 for a missing store', async () => {
    const r = await crmsync(['sync', 'status', '--db', db])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/contacts.*2.*1.*1/)
    expect(r.stdout).toMatch(/last run #1 `sync contacts`: ok/)
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-status-e2e-'))
    const missing = await crmsync(['sync', 'status'], {}, empty) // default ./crmsync.db
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no crmsync store at .*crmsync\.db.*crmsync sync all/)
    expect(fs.readdirSync(empty)).toEqual([])
  })
})
