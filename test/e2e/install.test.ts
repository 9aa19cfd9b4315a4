/**
 * The npm way of installing crmsync, as a new user does it: from a fresh copy of the repository
 * (the working tree's files, no dist/, no manifest) `npm pack` builds through `prepack`, then
 * `npm install -g` of the tarball into a temporary prefix gives a `crmsync` that runs
 * `--version`, `help` and `help COMMAND`, with the native SQLite addon in place. One install only:
 * it takes about half a minute.
 *
 * The registry is reached with --prefer-offline (the npm cache holds every package after
 * `npm ci`). So that the install does not spend minutes compiling better-sqlite3 with node-gyp,
 * its install script is pointed at a local prebuild made from this checkout's own compiled addon
 * (prebuild-install's documented `local-prebuilds` setting); without it the script compiles.
 */
import {execFile} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

const run = promisify(execFile)
let dir: string
let bin: string
let installLog: string

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{stdout: string; stderr: string}> {
  return run(cmd, args, {cwd, env: {...process.env, ...env}, maxBuffer: 32 * 1024 * 1024})
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-install-'))
  // a fresh clone of the working tree: tracked and untracked files, nothing git ignores (no dist/, no manifest)
  const clone = join(dir, 'clone')
  const {stdout} = await sh('git', ['ls-files', '-co', '--exclude-standard', '-z'], ROOT)
  for (const f of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, f))) continue // deleted but not yet committed
    mkdirSync(dirname(join(clone, f)), {recursive: true})
    cpSync(join(ROOT, f), join(clone, f))
  }
  expect(existsSync(join(clone, 'dist'))).toBe(false)
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir') // the build needs tsc and the types
  await sh('npm', ['pack', '--pack-destination', dir], clone)
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
  expect(tarball, 'npm pack wrote no tarball').toBeDefined()

  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {version: string}
  const prebuilds = join(dir, 'prebuilds')
  mkdirSync(prebuilds)
  const name = `better-sqlite3-v${pkg.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  await sh('tar', ['czf', join(prebuilds, name), '-C', join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'], dir)

  const prefix = join(dir, 'prefix')
  const installed = await sh('npm', ['install', '-g', join(dir, tarball!), '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3'], dir, {
    npm_config_better_sqlite3_local_prebuilds: prebuilds,
  })
  installLog = installed.stdout + installed.stderr
  bin = join(prefix, 'bin/crmsync')
}, 600_000)
afterAll(() => {
  if (dir) rmSync(dir, {recursive: true, force: true})
})

describe('npm pack + npm install -g', () => {
  it('ships dist/ and the oclif manifest, built by prepack', async () => {
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!
    const {stdout} = await sh('tar', ['tzf', join(dir, tarball)], dir)
    const files = stdout.split('\n')
    expect(files).toContain('package/oclif.manifest.json')
    expect(files).toContain('package/dist/commands/sync/status.js')
    expect(files.some((f) => f.startsWith('package/dist/test/'))).toBe(false)
  })

  it('gives a crmsync on the PATH that answers --version, help and help COMMAND', async () => {
    expect(existsSync(bin), installLog).toBe(true)
    const version = await sh(bin, ['--version'], dir)
    expect(version.stdout).toMatch(/^crmsync\/\d+\.\d+\.\d+ /)
    const help = await sh(bin, ['help'], dir)
    expect(help.stdout).toMatch(/COMMANDS/)
    expect(help.stdout).toMatch(/\bsync\b/)
    const sub = await sh(bin, ['help', 'sync', 'status'], dir)
    expect(sub.stdout).toMatch(/--wide/)
    expect(installLog).not.toMatch(/EBADENGINE/)
  })

  it('installs the native SQLite addon with it', async () => {
    const addon = join(dir, 'prefix/lib/node_modules/crmsync/node_modules/better-sqlite3')
    const {stdout} = await sh(process.execPath, ['-e', `const D = require(${JSON.stringify(addon)}); console.log(new D(':memory:').prepare('select 40 + 2 as n').get().n)`], dir)
    expect(stdout.trim()).toBe('42')
  })
})
