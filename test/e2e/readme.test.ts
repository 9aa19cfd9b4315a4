/**
 * The README's shell blocks, run in order as one bash script, as a new user would paste them:
 * `crmsync` on the PATH (a shim for this checkout's bin/run.js), a fresh working folder, and
 * HUBSPOT_BASE_URL pointing at an emulator so that the "real sync" block talks to it instead of
 * HubSpot. Blocks marked `<!-- readme-test: skip (why) -->` (installing, running this suite) are
 * left out. The walkthrough's port 3000 is replaced by a free one, since tests run in parallel.
 */
import {spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {RunningEmulator} from '../../src/emulator/index.js'
import {startEmulator} from '../../src/emulator/index.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {makePortal} from '../conformance/sync-harness.js'

/** The ```sh blocks of `markdown`, in order, each with whether a skip marker precedes it. */
export function shellBlocks(markdown: string): Array<{code: string; skip: string | null}> {
  const blocks: Array<{code: string; skip: string | null}> = []
  const re = /(?:<!--\s*readme-test:\s*skip\s*(\([^)]*\))?\s*-->\s*\n)?```sh\n([\s\S]*?)```/g
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push({code: m[2], skip: m[0].startsWith('<!--') ? (m[1] ?? 'skip') : null})
  return blocks
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port
      s.close(() => ok(port))
    })
  })
}

let dir: string
let emu: RunningEmulator

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-readme-'))
  emu = await startEmulator({portalDir: await makePortal({contacts: 60, deals: 20, appointments: 10, divisions: 3, seed: 3})}) // any non-empty token
})
afterAll(async () => {
  await emu?.stop()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('README', () => {
  it('runs every shell block of the walkthrough, in order, as written', async () => {
    const blocks = shellBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'))
    const run = blocks.filter((b) => b.skip === null)
    expect(
      blocks.filter((b) => b.skip !== null).every((b) => b.skip!.length > 2),
      'a skipped block must say why',
    ).toBe(true)
    expect(run.length).toBeGreaterThanOrEqual(2)
    const port = await freePort()
    const script = ['set -euo pipefail', ...run.map((b) => b.code.replace(/\b3000\b/g, String(port)))].join('\n')
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    writeFileSync(join(bin, 'crmsync'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
    chmodSync(join(bin, 'crmsync'), 0o755)
    const work = join(dir, 'work')
    mkdirSync(work)
    const env: NodeJS.ProcessEnv = {...process.env, PATH: `${bin}:${process.env.PATH}`, HUBSPOT_BASE_URL: emu.url, NO_COLOR: '1', HOME: dir}
    for (const k of Object.keys(env)) if (k.startsWith('CRMSYNC_') || k === 'HUBSPOT_ACCESS_TOKEN') delete env[k]
    const child = spawn('bash', ['-c', script], {cwd: work, env, detached: true})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const code = await new Promise<number | null>((done) => child.on('close', done))
    try {
      process.kill(-child.pid!, 'SIGTERM') // whatever the script left running (the emulator, if a step failed)
    } catch {
      // the group is gone: the script stopped its emulator itself
    }
    expect(code, `${stdout}\n${stderr}`).toBe(0)
    // the real-sync block (against HUBSPOT_BASE_URL) and the emulator walkthrough left their files
    expect(existsSync(join(work, 'crmsync.db'))).toBe(true)
    expect(readFileSync(join(work, 'contacts.csv'), 'utf8').split('\n')[0]).toMatch(/^id,/)
    expect(readFileSync(join(work, '.tmp/contacts.csv'), 'utf8').split('\n').length).toBeGreaterThan(1000)
    expect(readFileSync(join(work, '.tmp/crmsync.prom'), 'utf8')).toMatch(/^crmsync_sync_records\{command="sync all",stream="contacts",outcome="fetched"\} \d+$/m)
    // sync status after the second run of the walkthrough: incremental, 100 columns
    const status = stdout.split('\n').filter((l) => /^(contacts|deals) +ok \d+[smhd] ago /.test(l))
    expect(status.length).toBe(4) // twice: after the real sync, after the walkthrough
    expect(status.slice(2).every((l) => /\bincremental\b/.test(l))).toBe(true)
    // every line of it (sync summaries and status alike) within 100 columns, but for those naming a path of the test's folder
    const wide = stdout.split('\n').filter((l) => l.length > 100 && !l.includes(work))
    expect(wide, 'lines wider than 100 columns').toEqual([])
  })
})
