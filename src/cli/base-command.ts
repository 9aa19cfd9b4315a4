import {Command, Errors} from '@oclif/core'
import {CrmsyncError, EXIT} from '../core/errors.js'
import {corruptStoreError, isCorruptSqlite} from '../store/corrupt.js'

/**
 * Base class for every crmsync command: `--json` support (oclif enableJsonFlag),
 * exit code 2 for flag/arg parse errors, and operator-friendly errors from CrmsyncError.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  protected async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // a damaged store surfaces as a bare SQLite error from whichever query reads the bad page
    if (isCorruptSqlite(err)) return this.catch(corruptStoreError(this.storePath(), err))
    if (err instanceof CrmsyncError) {
      const json = this.jsonEnabled()
      if (json) {
        this.logJson({error: {message: err.message, code: err.options.code, suggestion: err.options.suggestion, exit: err.exitCode}})
        this.exit(err.exitCode)
      }
      this.error(err.message, {exit: err.exitCode, suggestions: err.options.suggestion ? [err.options.suggestion] : undefined, code: err.options.code})
    }
    // oclif parse errors (bad flag, missing arg) are usage errors: exit 2.
    if (err instanceof Errors.CLIError && isParseError(err)) {
      err.oclif = {...(err.oclif ?? {}), exit: EXIT.usage}
    } else if (!(err instanceof Errors.CLIError) && /^Parsing --/.test(err.message)) {
      // a custom flag's parse function threw a plain Error: oclif wraps it as "Parsing --flag ..."
      return super.catch(new Errors.CLIError(err.message, {exit: EXIT.usage}))
    }
    return super.catch(err)
  }

  /** The store the command was given: --db, else CRMSYNC_DB, else ./crmsync.db (as the flag resolves it). */
  protected storePath(): string {
    const i = this.argv.findIndex((a) => a === '--db' || a.startsWith('--db='))
    if (i >= 0) return this.argv[i].startsWith('--db=') ? this.argv[i].slice(5) : (this.argv[i + 1] ?? './crmsync.db')
    return process.env.CRMSYNC_DB || './crmsync.db'
  }
}

function isParseError(err: Error): boolean {
  const name = err.constructor?.name ?? ''
  return (
    /Flag|Arg|Parse|Options|Validation|Invalid|Required|Unexpected|NonExisting/i.test(name) ||
    /Unexpected argument|Nonexistent flag|Missing required|Expected .* to be one of|Expected an integer/i.test(err.message)
  )
}
