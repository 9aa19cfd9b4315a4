/** Runs the built CLI (`bin/run.js`, needs `dist/`: `npm test` builds first) as a child process, for e2e tests. */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'

export const ROOT = resolve(import.meta.dirname, '../..')
export const BIN = join(ROOT, 'bin/run.js')

/**
 * Fail at once, with the fix, when dist/ lacks `file` (npm test builds before vitest). A test never
 * builds itself: tsc rewriting dist/ while the other worker's CLI children load it makes them fail
 * with missing exports.
 */
export function assertBuilt(file = 'dist/commands/parity/run.js'): void {
  if (!existsSync(join(ROOT, file))) throw new Error(`dist is not built (${file} is missing): run \`npm run build\` (npm test builds first)`)
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** oclif wraps long messages and prefixes continuation lines with ›: fold them into one line for matching. */
export function flatten(text: string): string {
  return text.replace(/\s*\n\s*›?\s*/g, ' ').replace(/\s+/g, ' ')
}

/**
 * `crmsync ARGS` with `env` laid over this process's environment (a value of undefined removes a
 * variable). stderr is flattened unless `raw` is set.
 */
export function crmsync(args: string[], opts: {env?: NodeJS.ProcessEnv; cwd?: string; raw?: boolean} = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', ...opts.env}
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], {cwd: opts.cwd ?? ROOT, env, maxBuffer: 16 * 1024 * 1024}, (err, stdout, stderr) => {
      done({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr: opts.raw ? stderr : flatten(stderr)})
    })
  })
}
