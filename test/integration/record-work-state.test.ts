import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {mergeById, readLines} from '../../src/portal/record/id-stream.js'
import {type RecordState, WorkFolder, workDirFor} from '../../src/portal/record/work-state.js'

const root = mkdtempSync(join(tmpdir(), 'crmsync-work-'))
afterAll(() => rmSync(root, {recursive: true, force: true}))

function state(bytes: number): RecordState {
  return {
    version: 1,
    fingerprint: 'f',
    portalId: 1,
    objectTypes: [{name: 'contacts', objectTypeId: '0-1', properties: [{name: 'email', label: 'Email', type: 'string', fieldType: 'text'}]}],
    lists: {'contacts:live': {after: '3', done: false, bytes, count: 2}},
    associations: {doneFromTypes: [], lastFromId: null, bytes: 0, count: 0, samples: {}, seen: {}},
  }
}

describe('recorder work folder', () => {
  it('keeps state.json (it holds the redaction salt), the work files and the folder owner-only: 0600 / 0700', () => {
    const w = new WorkFolder(workDirFor(join(root, 'private')))
    w.create()
    writeFileSync(w.path('state.json.tmp'), 'left by a crash') // a leftover temp file must not pass its mode on
    const f = w.openAppend('contacts.live.ndjson', 0)
    w.save({...state(f.append(['{"id":"1"}'])), generatedSalt: 'salt-1234'})
    f.close()
    const mode = (p: string) => statSync(p).mode & 0o777
    expect(readFileSync(w.path('state.json'), 'utf8')).toContain('salt-1234')
    expect(mode(w.path('state.json'))).toBe(0o600)
    expect(mode(w.path('objects.json'))).toBe(0o600)
    expect(mode(w.path('contacts.live.ndjson'))).toBe(0o600)
    expect(mode(w.dir)).toBe(0o700)
  })

  it('cuts a work file back to the length the saved state covers, so lines written after the last save are redone, not duplicated', () => {
    const w = new WorkFolder(workDirFor(join(root, 'out')))
    expect(w.dir).toBe(join(root, 'out.record-work'))
    w.create()
    const f = w.openAppend('contacts.live.ndjson', 0)
    const saved = f.append(['{"id":"1"}', '{"id":"2"}'])
    w.save(state(saved))
    f.append(['{"id":"3"}', '{"id":"4"']) // a crash after this write, before the next save
    f.close()
    const s = w.load()!
    expect(s.objectTypes[0].properties[0].name).toBe('email')
    expect(s.lists['contacts:live']).toMatchObject({after: '3', bytes: saved})
    const again = w.openAppend('contacts.live.ndjson', s.lists['contacts:live'].bytes)
    again.append(['{"id":"3"}', '{"id":"4"}'])
    again.close()
    expect(readFileSync(w.path('contacts.live.ndjson'), 'utf8')).toBe('{"id":"1"}\n{"id":"2"}\n{"id":"3"}\n{"id":"4"}\n')
  })

  it('refuses an unreadable state file with a usage error naming --force', () => {
    const w = new WorkFolder(join(root, 'broken.record-work'))
    w.create()
    writeFileSync(w.path('state.json'), '{"version": 1')
    expect(() => w.load()).toThrow(UsageError)
    expect(() => w.load()).toThrow(/unreadable/)
    expect(new WorkFolder(join(root, 'none')).load()).toBeNull()
  })

  it('merges live and archived work files by id, the archived line winning a duplicate', async () => {
    const w = new WorkFolder(join(root, 'merge.record-work'))
    w.create()
    writeFileSync(w.path('a'), '{"id":"1","v":"live"}\n{"id":"5","v":"live"}\n{"id":"10","v":"live"}\n')
    writeFileSync(w.path('b'), '{"id":"2","v":"arch"}\n{"id":"5","v":"arch"}\n{"id":"100","v":"arch"}\n')
    const out: string[] = []
    for await (const {id, line} of mergeById(readLines(w.path('a')), readLines(w.path('b')))) out.push(`${id}:${(JSON.parse(line) as {v: string}).v}`)
    expect(out).toEqual(['1:live', '2:arch', '5:arch', '10:live', '100:arch'])
  })
})
