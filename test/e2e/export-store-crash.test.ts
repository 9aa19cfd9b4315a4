/**
 * Store crash safety with real processes: a child writes pages (records + checkpoint in one
 * transaction) in a loop and is killed with SIGKILL at a random moment, several times, resuming
 * from its checkpoint each time. The store must always hold exactly the pages its checkpoint covers.
 * Uses the built store (dist/, built by `npm test`).
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openStore} from '../../src/store/open.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const PAGE = 200

const WRITER = `
import {openStore} from ${JSON.stringify(path.join(ROOT, 'dist/src/store/open.js'))}
const store = openStore(process.argv[2])
store.ensureEntity({entity: 'contacts', properties: [{name: 'n', label: 'n', type: 'number', fieldType: 'number'}]})
let page = store.getCheckpoint('contacts')?.pages ?? 0
for (;;) {
  const records = []
  for (let i = 0; i < ${PAGE}; i++) {
    const id = String(page * ${PAGE} + i + 1)
    records.push({id, properties: {n: id, pad: 'x'.repeat(200)}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false})
  }
  page++
  store.applyRecords('contacts', 'contacts', records, {pages: page, after: records[records.length - 1].id})
  if (page % 5 === 0) process.stdout.write('page ' + page + '\\n')
}
`

function runAndKill(script: string, db: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, db], {stdio: ['ignore', 'pipe', 'pipe']})
    let killed = false
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdout.on('data', () => {
      if (killed) return
      killed = true
      setTimeout(() => child.kill('SIGKILL'), delayMs)
    })
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited without being killed: ${stderr}`))))
  })
}

describe('store crash safety (kill -9)', () => {
  it('never moves the checkpoint past unwritten records, and resumes without duplicates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crmsync-crash-'))
    const script = path.join(dir, 'writer.mjs')
    fs.writeFileSync(script, WRITER)
    const db = path.join(dir, 'store.db')
    let lastPages = 0
    for (const delay of [0, 61, 173]) {
      await runAndKill(script, db, delay)
      const store = openStore(db)
      const cp = store.getCheckpoint('contacts') as {pages: number; after: string}
      const count = store.db.prepare('SELECT COUNT(*) FROM obj_contacts').pluck().get() as number
      const maxId = store.db.prepare('SELECT id FROM obj_contacts ORDER BY length(id) DESC, id DESC LIMIT 1').pluck().get()
      expect(count).toBe(cp.pages * PAGE)
      expect(maxId).toBe(cp.after)
      expect(cp.pages).toBeGreaterThan(lastPages)
      expect(store.db.prepare('SELECT COUNT(*) FROM obj_contacts WHERE p_n IS NULL OR p_n <> id').pluck().get()).toBe(0)
      lastPages = cp.pages
      store.close()
    }
  })
})
