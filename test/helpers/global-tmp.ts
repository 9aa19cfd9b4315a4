/**
 * vitest globalSetup: every test run gets a temporary folder of its own (TMPDIR, inherited by the
 * test workers and every CLI child they start), removed at the end, so that the portals, stores
 * and reports tests write into tmpdir() never stay behind on the machine (they can hold generated
 * personal-looking data). KEEP_TMP=1 keeps it for a post-mortem, and says where it is.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-t-'))
  process.env.TMPDIR = dir
  return () => {
    if (process.env.KEEP_TMP) console.log(`KEEP_TMP: the test run's temporary files are in ${dir}`)
    else rmSync(dir, {recursive: true, force: true})
  }
}
