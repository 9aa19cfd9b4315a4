/**
 * The build writes oclif.manifest.json so that a command imports only its own code (see
 * src/cli/write-manifest.ts). A stale or missing manifest would hide a command or load everything.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {crmsync, ROOT} from '../helpers/cli.js'

function commandIds(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...commandIds(p))
    else if (e.name.endsWith('.js')) {
      const id = relative(join(ROOT, 'dist/commands'), p)
        .replace(/\.js$/, '')
        .split('/')
        .filter((s) => s !== 'index')
        .join(':')
      out.push(id)
    }
  }
  return out
}

describe('oclif manifest', () => {
  it('lists every compiled command', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    expect(Object.keys(manifest.commands).sort()).toEqual(commandIds(join(ROOT, 'dist/commands')).sort())
  })

  it('loads only the command that runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmsync-manifest-'))
    try {
      const trace = join(dir, 'imports.txt')
      const hook = pathToFileURL(join(ROOT, 'test/helpers/trace-imports.mjs')).href
      const r = await crmsync(['sync', 'status', '--db', join(dir, 'absent.db'), '--json'], {env: {NODE_OPTIONS: `--import ${hook}`, CRMSYNC_TRACE_IMPORTS: trace}})
      expect(r.code, r.stderr).toBe(2) // no such store: a usage error
      const loaded = readFileSync(trace, 'utf8').split('\n')
      expect(loaded.some((u) => u.includes('/dist/commands/sync/status.js'))).toBe(true)
      // without the manifest oclif imports every command file, and with them the emulator and the parity harness
      expect(loaded.filter((u) => /\/dist\/(commands\/(serve|parity|portal|report)|src\/(emulator|parity|reports)\/)/.test(u))).toEqual([])
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
