/** `crmsync portal generate` as a child process: success, bad flags (exit 2), refusing to clobber. */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {assertBuilt, ROOT, BIN, crmsync as run} from '../helpers/cli.js'
import {openPortal} from '../../src/portal/snapshot.js'

const crmsync = (args: string[]) => run(args)

describe('crmsync portal generate', () => {
  let root: string
  beforeAll(async () => {
    assertBuilt('dist/commands/portal/generate.js')
    root = await mkdtemp(join(tmpdir(), 'crmsync-gen-e2e-'))
  })
  afterAll(async () => {
    await rm(root, {recursive: true, force: true})
  })

  const small = ['--contacts', '250', '--deals', '120', '--appointments', '40', '--divisions', '4', '--seed', '5']

  it('generates a readable snapshot, prints a summary, and --json returns the typed result', async () => {
    const out = join(root, 'ok')
    const r = await crmsync(['portal', 'generate', '--out', out, ...small, '--custom-properties', '7', '--gzip'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Generated portal \d+ \(seed 5\)/)
    expect(r.stdout).toMatch(/contacts\s+0-1\s+250 records/)
    const p = await openPortal(out)
    expect(p.manifest.gzip).toBe(true)
    expect(p.objectType('deals').count).toBe(120)

    const again = join(root, 'again')
    const j = await crmsync(['portal', 'generate', '--out', again, ...small, '--custom-properties', '7', '--gzip', '--json'])
    expect(j.code).toBe(0)
    const result = JSON.parse(j.stdout)
    expect(result).toMatchObject({out: again, seed: 5, gzip: true, associations: p.manifest.associations.count})
    expect(result.objects.map((o: {name: string}) => o.name)).toEqual(['contacts', 'deals', 'appointments', 'divisions'])
    // same flags, same bytes
    for (const f of await readdir(out)) expect((await readFile(join(out, f))).equals(await readFile(join(again, f))), f).toBe(true)
  })

  it('exits 2 for --contacts -1 and a non-numeric --archived-ratio, writing nothing', async () => {
    const out = join(root, 'neg')
    const r = await crmsync(['portal', 'generate', '--out', out, '--contacts', '-1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--contacts must be a whole number from 0 to 100,000,000, got -1')
    expect(r.stderr).toContain('Pass e.g. --contacts 1000')
    const r2 = await crmsync(['portal', 'generate', '--out', out, '--archived-ratio', 'lots'])
    expect(r2.code).toBe(2)
    expect(r2.stderr).toContain('--archived-ratio must be a number from 0 to 1')
    expect(existsSync(out)).toBe(false)
    expect((await readdir(root)).some((f) => f.includes('.tmp-'))).toBe(false)
  })

  it('refuses an --out that is a file or a non-empty folder without --force, and leaves it untouched', async () => {
    const file = join(root, 'a-file')
    await writeFile(file, 'precious')
    const r = await crmsync(['portal', 'generate', '--out', file, ...small])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`Output path ${file} exists and is not a folder`)
    expect(await readFile(file, 'utf8')).toBe('precious')

    const dir = join(root, 'busy')
    await mkdir(dir)
    await writeFile(join(dir, 'notes.txt'), 'keep me')
    const r2 = await crmsync(['portal', 'generate', '--out', dir, ...small])
    expect(r2.code).toBe(2)
    expect(r2.stderr).toContain('already exists and is not empty')
    expect(r2.stderr).toContain('pass --force to replace it')
    expect(await readdir(dir)).toEqual(['notes.txt'])

    const r3 = await crmsync(['portal', 'generate', '--out', dir, ...small, '--force'])
    expect(r3.code).toBe(0)
    expect((await readdir(dir)).sort()).toEqual(['appointments.ndjson', 'associations.ndjson', 'contacts.ndjson', 'deals.ndjson', 'divisions.ndjson', 'manifest.json'])
  })

  it('stops on SIGINT with exit 1 and leaves no folder behind', async () => {
    const out = join(root, 'interrupted')
    const child = spawn(process.execPath, [BIN, 'portal', 'generate', '--out', out, '--contacts', '5000000', '--deals', '0', '--appointments', '0', '--divisions', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)))
    // wait until generation has started (its temporary folder exists), then interrupt
    while (!(await readdir(root)).some((f) => f.startsWith('interrupted.tmp-'))) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGINT')
    expect(await exited).toBe(1)
    expect(stderr).toContain('Generation was interrupted')
    expect((await readdir(root)).some((f) => f.startsWith('interrupted'))).toBe(false)
  })

  it('lists every flag in --help', async () => {
    const r = await crmsync(['portal', 'generate', '--help'])
    expect(r.code).toBe(0)
    for (const f of [
      '--out',
      '--contacts',
      '--deals',
      '--appointments',
      '--divisions',
      '--seed',
      '--custom-properties',
      '--shared-timestamp',
      '--archived-ratio',
      '--gzip',
      '--portal-id',
      '--force',
      '--json',
    ])
      expect(r.stdout).toContain(f)
  })
})
